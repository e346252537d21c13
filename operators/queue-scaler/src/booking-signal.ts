/**
 * Booking's health from its own /metrics (management port): the request histogram every service
 * exports (`http_server_request_duration_seconds`, packages/metrics). Counters only grow, so the
 * health of a window is the difference between two scrapes; p95 is interpolated inside the
 * bucket that holds it, as PromQL's histogram_quantile does.
 *
 * In a cluster every Ready booking pod is scraped (a Service would answer from one random pod per
 * scrape, mixing pods' counters): each pod's counters are differenced on their own (a restarted
 * pod starts again from zero), and the pods' windows are summed bucket by bucket before the p95 is
 * taken, as `histogram_quantile(0.95, sum by (le) (increase(...)))` does. One URL (standalone, out
 * of cluster) is the same with a single "pod". Parsing, differencing, merging and choosing the
 * pods are pure; `scrapeSnapshot` and `createBookingSignal` do the I/O.
 */
import type { HealthReading } from './admission-control.ts';

const HISTOGRAM = 'http_server_request_duration_seconds';
/** Probes and scrapes say nothing about fans' requests. */
const IGNORED_ROUTES = /^\/(metrics|healthz|readyz|livez)/;

export interface Snapshot {
  /** Upper bound (seconds, Infinity last) → requests at or below it, summed over routes and statuses. */
  buckets: Map<number, number>;
  count: number;
  errors: number;
  /** `process_start_time_seconds`, when exported: a new value is a restart even if the counters grew back. */
  startTime?: number;
  /** When it was scraped (ms since the epoch), for request rates. */
  atMs?: number;
  /** A window's length in seconds, when known (windowBetween): both scrapes timed, or a restart since a known start. */
  seconds?: number;
}

export const EMPTY_WINDOW: Snapshot = { buckets: new Map(), count: 0, errors: 0 };

function labelsOf(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const match of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[match[1]!] = match[2]!;
  return labels;
}

/**
 * Sums the request histogram out of a Prometheus text exposition; `routePrefix` keeps only the
 * series whose `route` label starts with it (the queue tier's status polls, say).
 */
export function parseSnapshot(text: string, routePrefix?: string): Snapshot {
  const buckets = new Map<number, number>();
  let count = 0;
  let errors = 0;
  let startTime: number | undefined;
  for (const line of text.split('\n')) {
    const started = /^process_start_time_seconds(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (started) startTime = Number(started[1]);
    if (!line.startsWith(HISTOGRAM)) continue;
    const match = /^(\w+)\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!match) continue;
    const [, name, labelText, valueText] = match;
    const labels = labelsOf(labelText!);
    if (IGNORED_ROUTES.test(labels.route ?? '')) continue;
    if (routePrefix && !(labels.route ?? '').startsWith(routePrefix)) continue;
    const value = Number(valueText);
    if (name === `${HISTOGRAM}_bucket`) {
      const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
      buckets.set(le, (buckets.get(le) ?? 0) + value);
    } else if (name === `${HISTOGRAM}_count`) {
      count += value;
      // 5xx is booking failing; 4xx is the fan's request (sold seats, a bad body), not booking's health
      if (Number(labels.status) >= 500) errors += value;
    }
  }
  return { buckets, count, errors, ...(startTime !== undefined && Number.isFinite(startTime) ? { startTime } : {}) };
}

/** Whether `after` comes from a new process: a new start time, or any counter went down (as PromQL's reset rule). */
export function restartedBetween(before: Snapshot, after: Snapshot): boolean {
  if (before.startTime !== undefined && after.startTime !== undefined && before.startTime !== after.startTime) return true;
  if (after.count < before.count || after.errors < before.errors) return true;
  for (const [le, n] of before.buckets) if ((after.buckets.get(le) ?? 0) < n) return true;
  return false;
}

/** What happened between two scrapes of one process; a restarted one counts from zero. */
export function windowBetween(before: Snapshot | undefined, after: Snapshot): Snapshot {
  if (!before || restartedBetween(before, after)) {
    // from zero: the window is the process's life, known only if it says when it started
    const lived = after.atMs !== undefined && after.startTime !== undefined ? after.atMs / 1000 - after.startTime : undefined;
    return { buckets: after.buckets, count: after.count, errors: after.errors, ...(lived !== undefined && lived > 0 ? { seconds: lived } : {}) };
  }
  const buckets = new Map<number, number>();
  for (const [le, n] of after.buckets) buckets.set(le, n - (before.buckets.get(le) ?? 0));
  const seconds = after.atMs !== undefined && before.atMs !== undefined ? (after.atMs - before.atMs) / 1000 : undefined;
  return { buckets, count: after.count - before.count, errors: after.errors - before.errors, ...(seconds !== undefined && seconds > 0 ? { seconds } : {}) };
}

/**
 * Requests per second over the pods' windows, summed: each pod's count over its own window
 * (pods scraped late or restarted do not share one length). A window of unknown length (a new pod
 * that exports no start time) counts over `fallbackSeconds`, the time since the previous poll.
 */
export function requestRateOf(windows: readonly Snapshot[], fallbackSeconds: number | undefined): number | undefined {
  let rate = 0;
  let timed = 0;
  for (const w of windows) {
    const seconds = w.seconds ?? fallbackSeconds;
    if (seconds === undefined || seconds <= 0) continue;
    rate += w.count / seconds;
    timed++;
  }
  return timed > 0 ? rate : undefined;
}

/** The pods' windows as one: bucket counts, requests and errors summed (every pod runs the same buckets). */
export function mergeWindows(windows: readonly Snapshot[]): Snapshot {
  const buckets = new Map<number, number>();
  let count = 0;
  let errors = 0;
  for (const w of windows) {
    for (const [le, n] of w.buckets) buckets.set(le, (buckets.get(le) ?? 0) + n);
    count += w.count;
    errors += w.errors;
  }
  return { buckets, count, errors };
}

/** The q-quantile in milliseconds, interpolated linearly inside its bucket; undefined without requests. */
export function quantileMs(window: Snapshot, q: number): number | undefined {
  const bounds = [...window.buckets.keys()].sort((a, b) => a - b);
  const total = window.buckets.get(Infinity) ?? window.count;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let below = 0;
  for (const le of bounds) {
    const cumulative = window.buckets.get(le) ?? 0;
    if (cumulative >= rank) {
      // beyond the last finite bucket PromQL answers that bucket's bound: so do we
      if (le === Infinity) return lowerBound * 1000;
      const inBucket = cumulative - below;
      const fraction = inBucket > 0 ? (rank - below) / inBucket : 1;
      return (lowerBound + (le - lowerBound) * fraction) * 1000;
    }
    lowerBound = le;
    below = cumulative;
  }
  return lowerBound * 1000;
}

export function healthOf(window: Snapshot): HealthReading {
  return { ok: true, requests: window.count, p95Ms: quantileMs(window, 0.95), errorRatio: window.count > 0 ? window.errors / window.count : 0 };
}

/**
 * Scrapes booking's /metrics; the caller keeps the snapshot for the next window. A booking that
 * has served nobody yet declares the histogram without series (0 requests); an endpoint that does
 * not declare it at all is not booking's, and must not pass for a quiet booking.
 */
export async function scrapeSnapshot(url: string, timeoutMs: number, routePrefix?: string): Promise<Snapshot> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  const text = await res.text();
  const atMs = Date.now();
  const snapshot = parseSnapshot(text, routePrefix);
  if (snapshot.buckets.size === 0 && !text.includes(`# TYPE ${HISTOGRAM} histogram`)) throw new Error(`${url} has no ${HISTOGRAM} histogram`);
  return { ...snapshot, atMs };
}

/** A booking pod as the signal needs it (kube.ts maps the API's Pod to this). */
export interface PodView {
  uid: string;
  name: string;
  ip: string | undefined;
  /** Running, Ready and not being deleted: the pods a Service sends fans to. */
  ready: boolean;
  ports: readonly { name?: string; containerPort: number }[];
}

/** metav1.LabelSelector. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: readonly { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: readonly string[] }[];
}

/** Where booking's pods and their metrics are (admissionControl.bookingPods; selector defaults to the target's). */
export interface BookingPods {
  selector?: LabelSelector;
  /** A container port's name, or its number. */
  port: string | number;
  path: string;
}

/** The selector in the API's query syntax (`app=booking,tier in (a,b),!canary`). */
export function selectorString(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

export interface ScrapeTargets {
  /** Every pod the selector matched (Ready or not): their last snapshots are kept. */
  listed: readonly string[];
  /** The Ready ones: pod uid → metrics URL. */
  ready: ReadonlyMap<string, string>;
  /** Ready pods without the port (named in the message: a wrong port name must not look like a quiet booking). */
  withoutPort: readonly string[];
}

/** Which pods to scrape, and where: each Ready pod's IP and its named (or numbered) port. */
export function podTargets(pods: readonly PodView[], source: Pick<BookingPods, 'port' | 'path'>): ScrapeTargets {
  const ready = new Map<string, string>();
  const withoutPort: string[] = [];
  for (const pod of pods) {
    if (!pod.ready || !pod.ip) continue;
    const port = typeof source.port === 'number' ? source.port : pod.ports.find((p) => p.name === source.port)?.containerPort;
    if (port === undefined) {
      withoutPort.push(pod.name);
      continue;
    }
    const host = pod.ip.includes(':') ? `[${pod.ip}]` : pod.ip;
    ready.set(pod.uid, `http://${host}:${port}${source.path}`);
  }
  return { listed: pods.map((p) => p.uid), ready, withoutPort };
}

/** What one QueueScaler remembers of booking's pods between polls. */
export interface PodMemory {
  /** Each pod's last good scrape. */
  snapshots: Map<string, Snapshot>;
  /** Pods that were Ready but could not be read, with no scrape to count from: their counters hold unknown history. */
  unknown: Set<string>;
}

/**
 * One poll over the pods: each scraped pod's window against its own previous snapshot, and what
 * to remember for the next poll. `previous` undefined is the first poll: every pod is a baseline
 * (its counters hold its whole life, not this window); so is a pod that was Ready but unreadable
 * with nothing to count from. Otherwise a pod without a snapshot counts from zero: it is new, or
 * it was never Ready (a Service sent it no fans). A pod that could not be scraped, or is not
 * Ready now, keeps its last snapshot, so its next window spans the polls it missed; a pod no
 * longer listed is forgotten.
 */
export function podWindows(
  previous: PodMemory | undefined, listed: readonly string[], ready: ReadonlySet<string>, scraped: ReadonlyMap<string, Snapshot>,
): { windows: Snapshot[]; remember: PodMemory } {
  const remember: PodMemory = { snapshots: new Map(), unknown: new Set() };
  for (const uid of listed) {
    const snapshot = scraped.get(uid) ?? previous?.snapshots.get(uid);
    if (snapshot) remember.snapshots.set(uid, snapshot);
    else if (ready.has(uid) && (!previous || previous.unknown.has(uid))) remember.unknown.add(uid);
  }
  const windows: Snapshot[] = [];
  for (const [uid, after] of scraped) {
    if (!previous || previous.unknown.has(uid)) continue; // a baseline
    windows.push(windowBetween(previous.snapshots.get(uid), after));
  }
  return { windows, remember };
}

export interface SignalReading {
  health: HealthReading;
  /** Pods whose metrics made this window. */
  pods: number;
  /** Ready pods that could not be read (their requests are missing from the window). */
  unreadable: number;
}

export interface BookingSignalDeps {
  listPods(namespace: string, labelSelector: string): Promise<PodView[]>;
  /** One pod's (or URL's) histogram; `routePrefix` keeps only the routes it starts. */
  scrape(url: string, routePrefix?: string): Promise<Snapshot>;
  clock?: { now(): number };
}

/** A request rate (requests per second, summed over the pods), or why there is none. */
export type RateReading = { ok: true; value: number; pods: number; unreadable: number } | { ok: false; error: string };

/** Pods' metrics from one selector (booking's, or a queue tier's own pods for `source.metric: requestRate`). */
export type ScrapedPods = BookingPods;

/**
 * Booking's health per QueueScaler, from one URL or from every Ready pod, with each pod's last
 * snapshot remembered between polls. More than half the Ready pods unreadable (or none Ready) is
 * an unreadable booking: the law cuts. Fewer are left out of the window and counted.
 * The same scraping serves `rateFromPods`: a tier's request rate from its own pods' counters.
 */
export function createBookingSignal(deps: BookingSignalDeps) {
  const memory = new Map<string, PodMemory>();
  const lastReadMs = new Map<string, number>();
  const now = () => deps.clock?.now() ?? Date.now();

  async function collect(key: string, targets: ScrapeTargets, routePrefix?: string) {
    const scraped = new Map<string, Snapshot>();
    const failures: string[] = [];
    await Promise.all([...targets.ready].map(async ([uid, url]) => {
      try {
        scraped.set(uid, await deps.scrape(url, routePrefix));
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }));
    const { windows, remember } = podWindows(memory.get(key), targets.listed, new Set(targets.ready.keys()), scraped);
    memory.set(key, remember);
    const wanted = targets.ready.size + targets.withoutPort.length;
    if (targets.withoutPort.length > 0) failures.push(`pod ${targets.withoutPort[0]} has no such port`);
    return { scraped, failures, windows, wanted, unreadable: wanted - scraped.size };
  }

  async function read(key: string, targets: ScrapeTargets, none: string): Promise<SignalReading> {
    const { scraped, failures, windows, wanted, unreadable } = await collect(key, targets);
    if (wanted === 0) return { health: { ok: false, error: none }, pods: 0, unreadable: 0 };
    if (scraped.size === 0 || scraped.size * 2 < wanted) {
      const error = wanted === 1 ? failures[0] ?? 'unreadable' : `${unreadable} of ${wanted} booking pods unreadable (${failures[0] ?? ''})`;
      return { health: { ok: false, error }, pods: scraped.size, unreadable };
    }
    return { health: healthOf(mergeWindows(windows)), pods: scraped.size, unreadable };
  }

  async function listTargets(namespace: string, source: BookingPods, fallbackSelector: LabelSelector | undefined, whose: string):
    Promise<{ targets: ScrapeTargets; query: string } | { error: string }> {
    const selector = source.selector ?? fallbackSelector;
    const query = selector ? selectorString(selector) : '';
    if (!query) return { error: `no selector for ${whose} pods` };
    try {
      return { targets: podTargets(await deps.listPods(namespace, query), source), query };
    } catch (error) {
      return { error: `listing ${whose} pods: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  return {
    /** Standalone or out of cluster: one booking process (or one address) behind one URL. */
    fromUrl(key: string, url: string): Promise<SignalReading> {
      return read(key, { listed: [url], ready: new Map([[url, url]]), withoutPort: [] }, 'no booking URL');
    },
    /** In a cluster: every Ready pod the selector matches, in the QueueScaler's namespace. */
    async fromPods(key: string, namespace: string, source: BookingPods, fallbackSelector: LabelSelector | undefined): Promise<SignalReading> {
      const listed = await listTargets(namespace, source, fallbackSelector, 'booking\'s');
      if ('error' in listed) {
        const error = listed.error.startsWith('no selector') ? 'no selector for booking\'s pods (bookingPods.selector, or the target\'s)' : listed.error;
        return { health: { ok: false, error }, pods: 0, unreadable: 0 };
      }
      return read(key, listed.targets, `no Ready pod matches ${listed.query}`);
    },
    /**
     * Requests per second served by every Ready pod the selector matches (`routePrefix`: only
     * those routes), each pod's counters differenced on their own. The first poll is a baseline
     * (no rate yet); more than half the Ready pods unreadable is no reading, as for booking.
     */
    async rateFromPods(key: string, namespace: string, source: ScrapedPods, fallbackSelector: LabelSelector | undefined, routePrefix?: string): Promise<RateReading> {
      const listed = await listTargets(namespace, source, fallbackSelector, 'the source\'s');
      if ('error' in listed) return { ok: false, error: listed.error };
      const at = now();
      const previousAt = lastReadMs.get(key);
      const { scraped, failures, windows, wanted, unreadable } = await collect(key, listed.targets, routePrefix);
      lastReadMs.set(key, at);
      if (wanted === 0) return { ok: false, error: `no Ready pod matches ${listed.query}` };
      if (scraped.size === 0 || scraped.size * 2 < wanted) return { ok: false, error: `${unreadable} of ${wanted} pods unreadable (${failures[0] ?? ''})` };
      const rate = requestRateOf(windows, previousAt === undefined ? undefined : (at - previousAt) / 1000);
      if (rate === undefined) return { ok: false, error: `first scrape of ${scraped.size} pods: a rate needs a second one` };
      return { ok: true, value: rate, pods: scraped.size, unreadable };
    },
    forget(key: string) { memory.delete(key); lastReadMs.delete(key); },
    clear() { memory.clear(); lastReadMs.clear(); },
  };
}

export type BookingSignal = ReturnType<typeof createBookingSignal>;
