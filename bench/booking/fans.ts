import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

/** One fan: who they are and the headers that reach booking for them (direct, or through the gateway). */
export interface Fan { id: string; headers: Record<string, string> }

export interface RaceOptions {
  /** Booking replicas (requests go round-robin, as through a Service) or the gateway. */
  origins: string[];
  scheduleId: string;
  seatIds: string[];
  fans: Fan[];
  /** Requests in flight at once (the connection pool size). */
  concurrency: number;
  /** A fan who gets 409 picks another seat they have not seen taken, up to this many tries. */
  attemptsPerFan: number;
}

export interface RaceResult {
  /** Latency of every hold request, in ms. */
  latencies: number[];
  /** Latency of the requests that got their seat, in ms. */
  heldLatencies: number[];
  statuses: Map<string, number>;
  /** Seat ids of the orders won, as booking answered them. */
  won: string[];
  wallMs: number;
  /** From the start until the last seat was held. */
  soldOutMs: number;
}

/**
 * Fans race for the seats. Every fan loaded the seat map before the sale, so each sends at least
 * one request; it asks for a random seat not yet known to be taken (any seat, once none is
 * known free). A 409 names the taken seats, which every fan learns (as a refreshed seat map
 * would show), and the fan tries another seat. A fan stops once it holds a seat, runs out of
 * tries, or, after its first try, sees no seat left.
 */
export async function race(options: RaceOptions): Promise<RaceResult> {
  const perOrigin = Math.ceil(options.concurrency / options.origins.length);
  const pools = options.origins.map((origin) => new Pool(origin, { connections: perOrigin, pipelining: 1, keepAliveTimeout: 30_000 }));
  let turn = 0;
  const taken = new Set<string>();
  const result: RaceResult = { latencies: [], heldLatencies: [], statuses: new Map(), won: [], wallMs: 0, soldOutMs: Number.NaN };
  let started = 0;
  const count = (key: string) => result.statuses.set(key, (result.statuses.get(key) ?? 0) + 1);
  const queue = [...options.fans];

  async function tryOnce(fan: Fan, firstTry: boolean): Promise<'held' | 'retry' | 'stop'> {
    const free = options.seatIds.filter((s) => !taken.has(s));
    if (free.length === 0 && !firstTry) return 'stop';
    const choices = free.length ? free : options.seatIds;
    const seat = choices[Math.floor(Math.random() * choices.length)]!;
    const sent = performance.now();
    const pool = pools[turn++ % pools.length]!;
    const res = await pool.request({ path: '/api/v1/orders', method: 'POST', headers: fan.headers, body: JSON.stringify({ scheduleId: options.scheduleId, seatIds: [seat] }) });
    const body = (await res.body.json()) as { code?: string; seatIds?: string[]; seats?: Array<{ id: string }> };
    const ms = performance.now() - sent;
    result.latencies.push(ms);
    count(res.statusCode === 201 ? '201' : `${res.statusCode} ${body.code ?? ''}`.trim());
    if (res.statusCode === 201) {
      result.heldLatencies.push(ms);
      for (const s of body.seats ?? []) {
        result.won.push(s.id);
        taken.add(s.id);
      }
      if (result.won.length === options.seatIds.length && Number.isNaN(result.soldOutMs)) result.soldOutMs = performance.now() - started;
      return 'held';
    }
    if (res.statusCode === 409 && body.code === 'SEAT_UNAVAILABLE') {
      for (const s of body.seatIds ?? []) taken.add(s);
      return 'retry';
    }
    return 'stop';
  }

  async function worker(): Promise<void> {
    for (let fan = queue.shift(); fan; fan = queue.shift()) {
      for (let attempt = 0; attempt < options.attemptsPerFan; attempt++) {
        if ((await tryOnce(fan, attempt === 0)) !== 'retry') break;
      }
    }
  }

  started = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  result.wallMs = performance.now() - started;
  await Promise.all(pools.map((p) => p.close()));
  return result;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
