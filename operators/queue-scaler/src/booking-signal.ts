/**
 * Booking's health from its own /metrics (management port): the request histogram every service
 * exports (`http_server_request_duration_seconds`, packages/metrics). Counters only grow, so the
 * health of a window is the difference between two scrapes; p95 is interpolated inside the
 * bucket that holds it, as PromQL's histogram_quantile does. Parsing and the arithmetic are pure;
 * only `scrapeHealth` does I/O.
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
}

function labelsOf(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const match of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[match[1]!] = match[2]!;
  return labels;
}

/** Sums booking's request histogram out of a Prometheus text exposition. */
export function parseSnapshot(text: string): Snapshot {
  const buckets = new Map<number, number>();
  let count = 0;
  let errors = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(HISTOGRAM)) continue;
    const match = /^(\w+)\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!match) continue;
    const [, name, labelText, valueText] = match;
    const labels = labelsOf(labelText!);
    if (IGNORED_ROUTES.test(labels.route ?? '')) continue;
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
  return { buckets, count, errors };
}

/** What happened between two scrapes; a restarted pod (counters went down) counts from zero. */
export function windowBetween(before: Snapshot | undefined, after: Snapshot): Snapshot {
  if (!before || after.count < before.count) return after;
  const buckets = new Map<number, number>();
  for (const [le, n] of after.buckets) buckets.set(le, n - (before.buckets.get(le) ?? 0));
  return { buckets, count: after.count - before.count, errors: after.errors - before.errors };
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

/** Scrapes booking's /metrics; the caller keeps the snapshot for the next window. */
export async function scrapeSnapshot(url: string, timeoutMs: number): Promise<Snapshot> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  const snapshot = parseSnapshot(await res.text());
  if (snapshot.buckets.size === 0) throw new Error(`${url} has no ${HISTOGRAM} histogram`);
  return snapshot;
}
