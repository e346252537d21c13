import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

export interface SeatMap {
  /** The serialised `{"items":[…]}` body, ready to send. */
  body: Buffer;
  /** The same, gzipped once per build (a few thousand seats: ~900 KiB → under 100 KiB). */
  gzipped: Buffer;
  /** Of the uncompressed body; the gzipped representation adds a suffix. */
  etag: string;
  builtAt: number;
}

export interface SeatMapCacheOptions {
  /** Builds a schedule's seat map body; `undefined` when the schedule does not exist. */
  load: (scheduleId: string) => Promise<string | undefined>;
  /** How long a built map is served. Bounds staleness on replicas that did not consume the event. */
  ttlMs: number;
  clock?: () => number;
}

/**
 * In-process seat maps. Thousands of fans polling one schedule cost one database read per TTL per
 * replica; concurrent misses share one build; the replica that consumes an order event drops its
 * entry at once, and every other replica's copy ages out within the TTL.
 */
export function createSeatMapCache({ load, ttlMs, clock = Date.now }: SeatMapCacheOptions) {
  const entries = new Map<string, SeatMap>();
  const building = new Map<string, Promise<SeatMap | undefined>>();
  // Bumped on invalidation, so a build that started before the change is not kept as fresh.
  const generations = new Map<string, number>();

  function dropExpired(now: number): void {
    for (const [id, entry] of entries) if (now - entry.builtAt >= ttlMs) entries.delete(id);
  }

  async function build(scheduleId: string): Promise<SeatMap | undefined> {
    const generation = generations.get(scheduleId) ?? 0;
    const startedAt = clock();
    const json = await load(scheduleId);
    if (json === undefined) return undefined;
    const body = Buffer.from(json);
    // Compressed on libuv's thread pool, off the event loop.
    const gzipped = await gzipAsync(body, { level: 6 });
    const map: SeatMap = { body, gzipped, etag: createHash('sha1').update(body).digest('base64url'), builtAt: startedAt };
    if ((generations.get(scheduleId) ?? 0) === generation) {
      dropExpired(clock());
      entries.set(scheduleId, map);
    }
    return map;
  }

  return {
    async get(scheduleId: string): Promise<SeatMap | undefined> {
      const cached = entries.get(scheduleId);
      if (cached && clock() - cached.builtAt < ttlMs) return cached;
      let pending = building.get(scheduleId);
      if (!pending) {
        pending = build(scheduleId).finally(() => {
          if (building.get(scheduleId) === pending) building.delete(scheduleId);
        });
        building.set(scheduleId, pending);
      }
      return pending;
    },

    invalidate(scheduleId: string): void {
      generations.set(scheduleId, (generations.get(scheduleId) ?? 0) + 1);
      entries.delete(scheduleId);
      building.delete(scheduleId);
    },

    size: () => entries.size,
  };
}

export type SeatMapCache = ReturnType<typeof createSeatMapCache>;
