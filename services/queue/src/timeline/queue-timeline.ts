// The waiting room's history for the organiser's charts. The queue's own keys hold only the figures
// of the moment (stats: waiting, admittedTotal), so once a minute one replica appends them to a
// per-queue stream; the chart of an on-sale opened mid-sale then starts at the sale, not at the page.
//
// Which replica: the first to SET NX the minute's key. Losing that race (or a replica being down for
// a minute) costs one sample, never a duplicate. Admissions per minute are the difference of two
// consecutive `admittedTotal`s, so a missed minute shows as its admissions counted in the next one.

import type { Logger } from '@ticketping/logger';
import { queueKeys, type RedisClient } from '@ticketping/redis';
import { runPeriodically, type Periodic } from '@ticketping/runtime';
import type { QueueStore } from '../redis/queue-store.ts';

const MINUTE_MS = 60_000;
/** A day of minutes and some: XADD trims with `~`, so the stream keeps at least this many. */
export const TIMELINE_MAX_SAMPLES = 1500;
/** A queue dropped by the admission tick leaves its timeline to expire on its own. */
const TIMELINE_TTL_SECONDS = 2 * 24 * 3600;

export const timelineKey = (performanceId: string) => `${queueKeys(performanceId).stats.replace(/:stats$/, '')}:timeline`;
const minuteClaimKey = (minute: number) => `tp:queue-timeline:minute:${minute}`;

export interface TimelineSample { minute: Date; waiting: number; admitted: number }

export function createQueueTimeline(deps: { redis: RedisClient; store: Pick<QueueStore, 'listQueues' | 'describe'> }) {
  const { redis, store } = deps;

  /** Samples every waiting room for the minute `nowMs` falls in, unless a replica already did. Returns how many it wrote. */
  async function sampleMinute(nowMs: number): Promise<number> {
    const minute = Math.floor(nowMs / MINUTE_MS);
    const claimed = await redis.set(minuteClaimKey(minute), '1', 'PX', 2 * MINUTE_MS, 'NX');
    if (claimed !== 'OK') return 0;
    let written = 0;
    for (const performanceId of await store.listQueues()) {
      // waiting as of now (describe counts the line), admissions as the ticks counted them (stats)
      const [view, admittedTotal] = await Promise.all([store.describe(performanceId), redis.hget(queueKeys(performanceId).stats, 'admittedTotal')]);
      if (!view) continue;
      const key = timelineKey(performanceId);
      // the minute is the entry id, so a stream never holds two samples of one minute
      try {
        await redis.xadd(key, 'MAXLEN', '~', String(TIMELINE_MAX_SAMPLES), `${minute * MINUTE_MS}-0`, 'waiting', String(view.waiting), 'admittedTotal', admittedTotal ?? '0');
      } catch (error) {
        // a later minute is already there (a clock behind the other replicas'): that sample is the one kept
        if (error instanceof Error && /equal or smaller/.test(error.message)) continue;
        throw error;
      }
      await redis.expire(key, TIMELINE_TTL_SECONDS);
      written++;
    }
    return written;
  }

  /** Samples from `fromMs` on, oldest first; `admitted` is counted against the sample before each. */
  async function read(performanceId: string, fromMs: number): Promise<TimelineSample[]> {
    const key = timelineKey(performanceId);
    const [before, entries] = await Promise.all([
      redis.xrevrange(key, `(${Math.max(0, fromMs)}`, '-', 'COUNT', 1),
      redis.xrange(key, String(Math.max(0, fromMs)), '+'),
    ]);
    const total = (fields: string[]) => Number(fields[fields.indexOf('admittedTotal') + 1] ?? 0);
    let previous = before[0] ? total(before[0][1]) : undefined;
    return entries.map(([id, fields]) => {
      const admittedTotal = total(fields);
      // the first sample kept has nothing to count against: 0 rather than the whole sale in one minute
      const admitted = previous === undefined ? 0 : Math.max(0, admittedTotal - previous);
      previous = admittedTotal;
      return { minute: new Date(Number(id.split('-')[0])), waiting: Number(fields[fields.indexOf('waiting') + 1] ?? 0), admitted };
    });
  }

  return { sampleMinute, read };
}

export type QueueTimeline = ReturnType<typeof createQueueTimeline>;

/** Tries every `intervalMs` (well under a minute, so a replica that lost a minute's race or restarted still fills the next). */
export function sampleEveryMinute(timeline: QueueTimeline, logger: Logger, intervalMs = 15_000): Periodic {
  const job = runPeriodically('queue-timeline', intervalMs, logger, () => timeline.sampleMinute(Date.now()));
  job.wake();
  return job;
}
