/**
 * A small load client on undici (keep-alive pools), the same for every server measured, so
 * throughputs compare like for like. Two shapes:
 * - closed loop: `connections` requests in flight back to back for a while (throughput);
 * - open loop: requests start on a fixed schedule whatever the answers (latency at a given rate;
 *   latency counts from the scheduled start, so a slow server cannot hide its queueing).
 */
import { Pool } from 'undici';

export interface Call { path: string; method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'; headers: Record<string, string>; body?: string }

export interface LoadResult {
  completed: number;
  wallMs: number;
  /** ms per request */
  latencies: number[];
  /** status code → count */
  statuses: Map<number, number>;
}

async function send(pool: Pool, call: Call, result: LoadResult, startedAt: number): Promise<void> {
  try {
    const res = await pool.request({ path: call.path, method: call.method, headers: call.headers, ...(call.body ? { body: call.body } : {}) });
    await res.body.dump();
    result.statuses.set(res.statusCode, (result.statuses.get(res.statusCode) ?? 0) + 1);
  } catch {
    result.statuses.set(0, (result.statuses.get(0) ?? 0) + 1);
  }
  result.latencies.push(performance.now() - startedAt);
  result.completed++;
}

const emptyResult = (): LoadResult => ({ completed: 0, wallMs: 0, latencies: [], statuses: new Map() });

/** Back to back on `connections` connections, until `until()` says stop (a deadline or a count). */
export async function closedLoop(origin: string, connections: number, next: () => Call | undefined): Promise<LoadResult> {
  const pool = new Pool(origin, { connections, pipelining: 1 });
  const result = emptyResult();
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, async () => {
    for (let call = next(); call; call = next()) await send(pool, call, result, performance.now());
  }));
  result.wallMs = performance.now() - started;
  await pool.close();
  return result;
}

/** `ratePerSecond` requests started on schedule for `seconds`. */
export async function openLoop(origin: string, connections: number, ratePerSecond: number, seconds: number, next: () => Call): Promise<LoadResult> {
  const pool = new Pool(origin, { connections, pipelining: 1 });
  const result = emptyResult();
  const total = Math.round(ratePerSecond * seconds);
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * ratePerSecond) + 1);
    for (; sent < due; sent++) {
      const scheduledAt = started + (sent / ratePerSecond) * 1000;
      const request = send(pool, next(), result, scheduledAt).finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await Promise.all(inFlight);
  result.wallMs = performance.now() - started;
  await pool.close();
  return result;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function describeLatency(values: number[]): string {
  const f = (p: number) => percentile(values, p).toFixed(1);
  return `p50 ${f(50)} ms, p95 ${f(95)} ms, p99 ${f(99)} ms, max ${f(100)} ms`;
}

export const statuses = (result: LoadResult) => JSON.stringify(Object.fromEntries(result.statuses));
