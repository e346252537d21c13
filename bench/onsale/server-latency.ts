/**
 * Server-side latency, apart from the driver's own: the gateway's request histogram
 * (`http_server_request_duration_seconds`, packages/metrics) read from its /metrics before and
 * after the sale. The difference is what the gateway measured from a request's arrival to its
 * answer during the sale, for every route, whatever queue the driver itself may have built.
 * Quantiles are interpolated within the histogram's buckets (as Prometheus' histogram_quantile
 * does); the share of requests under 100 ms and 500 ms is exact, those being bucket bounds.
 */
export interface RouteHistogram {
  method: string;
  route: string;
  /** Upper bound in seconds → cumulative count (+Inf included). */
  buckets: Map<number, number>;
  count: number;
}

export type Histograms = Map<string, RouteHistogram>;

const METRIC = 'http_server_request_duration_seconds';

function labelsOf(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
}

/** Bucket counts per method and route, summed over statuses. */
export function parseHistograms(exposition: string): Histograms {
  const routes: Histograms = new Map();
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${METRIC}_bucket{`)) continue;
    const close = line.lastIndexOf('}');
    const labels = labelsOf(line.slice(line.indexOf('{') + 1, close));
    const value = Number(line.slice(close + 1).trim());
    const key = `${labels.method} ${labels.route}`;
    const route = routes.get(key) ?? { method: labels.method ?? '', route: labels.route ?? '', buckets: new Map<number, number>(), count: 0 };
    const le = labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le);
    route.buckets.set(le, (route.buckets.get(le) ?? 0) + value);
    if (le === Number.POSITIVE_INFINITY) route.count += value;
    routes.set(key, route);
  }
  return routes;
}

export async function scrapeHistograms(gatewayUrl: string): Promise<Histograms> {
  const res = await fetch(`${gatewayUrl}/metrics`);
  if (!res.ok) throw new Error(`${gatewayUrl}/metrics answered ${res.status}`);
  return parseHistograms(await res.text());
}

/** What was observed between two scrapes. */
export function difference(after: Histograms, before: Histograms): Histograms {
  const delta: Histograms = new Map();
  for (const [key, route] of after) {
    const earlier = before.get(key);
    const buckets = new Map([...route.buckets].map(([le, n]) => [le, n - (earlier?.buckets.get(le) ?? 0)]));
    const count = route.count - (earlier?.count ?? 0);
    if (count > 0) delta.set(key, { ...route, buckets, count });
  }
  return delta;
}

/** The q-quantile in seconds, linear within its bucket; +Infinity if it falls past the largest bound. */
export function quantile(route: RouteHistogram, q: number): number {
  const bounds = [...route.buckets.keys()].sort((a, b) => a - b);
  const rank = q * route.count;
  let lower = 0;
  let below = 0;
  for (const bound of bounds) {
    const cumulative = route.buckets.get(bound)!;
    if (cumulative >= rank) {
      if (bound === Number.POSITIVE_INFINITY) return bound;
      const inBucket = cumulative - below;
      return inBucket === 0 ? bound : lower + (bound - lower) * ((rank - below) / inBucket);
    }
    lower = bound;
    below = cumulative;
  }
  return Number.POSITIVE_INFINITY;
}

/** Share of requests answered within `seconds` (a bucket bound, so exact). */
export function shareWithin(route: RouteHistogram, seconds: number): number {
  return (route.buckets.get(seconds) ?? Number.NaN) / route.count;
}

/**
 * The on-sale's latency objectives, server-side: status polls p99 under 100 ms, holds p99 under
 * 500 ms. Both bounds are bucket bounds, so "met" is exact: at least 99 % answered within them.
 */
export const OBJECTIVES = [
  { name: 'poll', method: 'GET', route: /\/entries\/me$/, seconds: 0.1 },
  { name: 'hold', method: 'POST', route: /^\/api\/v1\/orders$/, seconds: 0.5 },
] as const;

export function describeObjectives(delta: Histograms): string {
  const parts = OBJECTIVES.map((o) => {
    const route = [...delta.values()].find((r) => r.method === o.method && o.route.test(r.route));
    if (!route) return `${o.name} p99 < ${o.seconds * 1000} ms: no ${o.name} made`;
    const share = shareWithin(route, o.seconds);
    return `${o.name} p99 < ${o.seconds * 1000} ms ${share >= 0.99 ? 'met' : 'NOT met'} (${(share * 100).toFixed(2)} % within)`;
  });
  return `latency objectives, server-side: ${parts.join('; ')}`;
}

export function describeServerLatency(delta: Histograms): string[] {
  const largest = (r: RouteHistogram) => Math.max(...[...r.buckets.keys()].filter(Number.isFinite));
  const ms = (r: RouteHistogram, q: number) => {
    const s = quantile(r, q);
    return Number.isFinite(s) ? `${(s * 1000).toFixed(1)} ms` : `over ${largest(r) * 1000} ms`;
  };
  // the bench's own scrapes are not the sale's
  return [...delta.values()].filter((r) => r.route !== '/metrics').sort((a, b) => b.count - a.count).map((r) =>
    `server-side ${r.method} ${r.route}: p50 ${ms(r, 0.5)}, p95 ${ms(r, 0.95)}, p99 ${ms(r, 0.99)}; ` +
    `${(shareWithin(r, 0.1) * 100).toFixed(2)} % within 100 ms, ${(shareWithin(r, 0.5) * 100).toFixed(2)} % within 500 ms (n ${r.count})`);
}
