import type { Logger } from '@ticketping/logger';
import { runPeriodically, type Periodic } from '@ticketping/runtime';
import type { QueueMetrics } from '../metrics.ts';
import type { QueueStore, TickResult } from '../redis/queue-store.ts';
import type { TickerRing } from './ticker-ring.ts';

export interface AdmissionLoop {
  start(): void;
  stop(): Promise<void>;
  /** Runs one tick for one queue now (after an entry at the head, or a freed slot). */
  tick(performanceId: string): Promise<TickResult>;
  /** One pass over every queue in the index. */
  tickAll(): Promise<void>;
}

/**
 * Every `tickMs`, runs the admission script for the queues in the index that this replica owns
 * (ticker-ring.ts: one ticker per queue among the live replicas; without a ring, every queue).
 * The script is atomic and decides from the state it finds, so a queue ticked twice while the
 * ring settles only admits more promptly, never past a limit. Ticks never overlap within one replica.
 */
export function createAdmissionLoop(deps: { store: QueueStore; metrics: QueueMetrics; logger: Logger; tickMs: number; ring?: TickerRing }): AdmissionLoop {
  const { store, metrics, logger, tickMs, ring } = deps;
  let periodic: Periodic | undefined;

  async function tick(performanceId: string): Promise<TickResult> {
    const result = await store.admit(performanceId);
    if (result.state === 'RETIRED' || result.state === 'NO_QUEUE') {
      await store.forget(performanceId);
      metrics.forget(performanceId);
      logger.info({ performanceId, state: result.state }, 'queue removed from the index');
    } else {
      metrics.record(performanceId, result);
      if (result.admitted.length > 0) logger.debug({ performanceId, admitted: result.admitted.length }, 'admitted');
    }
    return result;
  }

  async function tickAll(): Promise<void> {
    await tickEach(await store.listQueues());
  }

  /** Queues this replica ticked last pass: their gauges are dropped when another replica takes them over. */
  let ticking = new Set<string>();
  async function tickOwned(): Promise<void> {
    const all = await store.listQueues();
    const ids = ring ? await ring.owned(all) : all;
    const now = new Set(ids);
    // another replica reports these now; stale gauges here would win a max() across replicas
    for (const id of ticking) if (!now.has(id)) metrics.release(id);
    ticking = now;
    await tickEach(ids);
  }

  async function tickEach(ids: string[]): Promise<void> {
    const outcomes = await Promise.allSettled(ids.map((id) => tick(id)));
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === 'rejected') logger.error({ err: outcome.reason, performanceId: ids[i] }, 'admission tick failed');
    }
  }

  let outageLoggedAt = 0;
  function passFailed(error: unknown): void {
    // Redis out of reach: expected during an outage and the same every tick, so one line per 10 s
    if ((error as { code?: unknown } | undefined)?.code === 'QUEUE_UNAVAILABLE') {
      if (Date.now() - outageLoggedAt < 10_000) return;
      outageLoggedAt = Date.now();
      logger.warn({ err: error }, 'admission paused: Redis is out of reach');
      return;
    }
    logger.error({ err: error }, 'admission pass failed');
  }

  return {
    start() {
      periodic ??= runPeriodically('admission', tickMs, logger, () => tickOwned().catch(passFailed));
    },
    async stop() {
      await periodic?.stop();
      periodic = undefined;
      await ring?.leave().catch(() => undefined); // the others take over at their next tick instead of after the heartbeat runs out
    },
    tick,
    tickAll,
  };
}
