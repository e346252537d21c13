/**
 * Admission control around the pure law (admission-control.ts): reads the fed queues' figures
 * from Redis (read only), booking's health from its /metrics, decides the total rate, splits it
 * over the queues by waiting fans and hands each share to the queue service's operator-rate route.
 */
import type { Logger } from '@ticketping/logger';
import { QUEUE_INDEX_KEY, parseQueueFigures, queueKeys } from '@ticketping/redis';
import { decideRate, splitRate, type HealthReading, type RateMemory } from './admission-control.ts';
import { healthOf, scrapeSnapshot, windowBetween, type Snapshot } from './booking-signal.ts';
import type { Clock } from './decide.ts';
import type { QueueClient } from './queue-client.ts';
import type { RedisConnections } from './redis-connections.ts';
import type { QueueScalerSpec, QueueScalerStatus } from './types.ts';

export interface AdmissionDeps {
  redis: RedisConnections;
  /** Unset when the operator was started without QUEUE_URL / INTERNAL_TOKEN. */
  queue: QueueClient | undefined;
  logger: Logger;
  clock: Clock;
  timeoutMs: number;
}

interface Memory {
  rate: RateMemory;
  snapshot: Snapshot | undefined;
}

type AdmissionStatus = Pick<QueueScalerStatus, 'admitPerMinute' | 'adminAdmitPerMinute' | 'bookingP95Milliseconds' | 'bookingErrorPercent' | 'admissionMessage'>;

export function createAdmission(deps: AdmissionDeps) {
  const { redis, logger, clock } = deps;
  const memory = new Map<string, Memory>();

  /** The fed queues and their waiting fans: the listed ones, or every OPEN queue in the index. */
  async function fedQueues(spec: QueueScalerSpec): Promise<{ performanceId: string; waiting: number }[]> {
    const listed = spec.admissionControl?.performanceIds ?? (spec.source.performanceId ? [spec.source.performanceId] : undefined);
    const client = redis.for(spec.redisRef);
    const ids = listed ?? await client.smembers(QUEUE_INDEX_KEY);
    const hashes = await Promise.all(ids.map((id) => client.hgetall(queueKeys(id).stats)));
    return ids.flatMap((performanceId, i) => {
      const hash = hashes[i] ?? {};
      if (Object.keys(hash).length === 0) return []; // no such queue (yet)
      if (!listed && hash.state !== 'OPEN') return [];
      return [{ performanceId, waiting: parseQueueFigures(hash).waiting }];
    });
  }

  async function readHealth(url: string, before: Snapshot | undefined): Promise<{ health: HealthReading; snapshot: Snapshot | undefined }> {
    try {
      const snapshot = await scrapeSnapshot(url, deps.timeoutMs);
      return { health: healthOf(windowBetween(before, snapshot)), snapshot };
    } catch (error) {
      return { health: { ok: false, error: error instanceof Error ? error.message : String(error) }, snapshot: before };
    }
  }

  return {
    /** One poll: the new rate, written to every fed queue; what the status should show. */
    async control(key: string, spec: QueueScalerSpec, status: QueueScalerStatus | undefined, pollingSeconds: number): Promise<AdmissionStatus> {
      const control = spec.admissionControl;
      if (!control) return {};
      if (!deps.queue) return { admissionMessage: 'admissionControl needs the operator to run with QUEUE_URL and INTERNAL_TOKEN' };
      const remembered = memory.get(key);
      // a new leader carries on from the rate in the status instead of dropping to the floor mid-sale
      const previous = remembered?.rate ?? (status?.admitPerMinute ? { admitPerMinute: status.admitPerMinute, atMs: clock.now() } : undefined);
      const queues = await fedQueues(spec);
      const { health, snapshot } = await readHealth(control.bookingMetricsUrl, remembered?.snapshot);
      const waiting = queues.reduce((sum, q) => sum + q.waiting, 0);
      const decision = decideRate({ spec: control, previous, health, waiting }, clock);

      // a rate the operator stops renewing runs out in the queue, which then admits at the admin's ceiling
      const ttlSeconds = Math.min(3600, Math.max(30, 3 * pollingSeconds));
      let ceiling = 0;
      for (const [performanceId, share] of splitRate(decision.admitPerMinute, queues)) {
        try {
          const answer = await deps.queue.setOperatorRate(performanceId, share, ttlSeconds);
          ceiling += answer?.admitPerMinute ?? 0;
        } catch (error) {
          logger.warn({ err: error, performanceId }, 'could not hand the admission rate to the queue');
        }
      }
      memory.set(key, { rate: decision.memory, snapshot });
      if (decision.admitPerMinute !== previous?.admitPerMinute) {
        logger.info({ key, verdict: decision.verdict, admitPerMinute: decision.admitPerMinute, queues: queues.length }, decision.message);
      }
      const result: AdmissionStatus = { admitPerMinute: decision.admitPerMinute, adminAdmitPerMinute: ceiling, admissionMessage: decision.message.slice(0, 1024) };
      if (health.ok && health.p95Ms !== undefined) result.bookingP95Milliseconds = Math.round(health.p95Ms);
      if (health.ok) result.bookingErrorPercent = Math.round(health.errorRatio * 10_000) / 100;
      return result;
    },
    forget(key: string) { memory.delete(key); },
    clear() { memory.clear(); },
  };
}

export type Admission = ReturnType<typeof createAdmission>;
