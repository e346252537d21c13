/**
 * Admission control around the pure law (admission-control.ts): reads the fed queues' figures
 * from Redis (read only), booking's health from the /metrics of every Ready booking pod (or one
 * URL), decides the total rate, splits it over the queues by waiting fans and hands each share to
 * the queue service's operator-rate route.
 */
import type { Logger } from '@ticketping/logger';
import { QUEUE_INDEX_KEY, parseQueueFigures, queueKeys } from '@ticketping/redis';
import { decideRate, splitRate, type RateMemory } from './admission-control.ts';
import { createBookingSignal, scrapeSnapshot, type LabelSelector, type PodView, type SignalReading } from './booking-signal.ts';
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
  /** Booking's pods in a namespace (kube.ts), for admissionControl.bookingPods. */
  listPods(namespace: string, labelSelector: string): Promise<PodView[]>;
}

type AdmissionStatus = Pick<QueueScalerStatus, 'admitPerMinute' | 'adminAdmitPerMinute' | 'bookingP95Milliseconds' | 'bookingErrorPercent' | 'bookingPods' | 'admissionMessage'>;

export function createAdmission(deps: AdmissionDeps) {
  const { redis, logger, clock } = deps;
  const memory = new Map<string, RateMemory>();
  const signal = createBookingSignal({ listPods: deps.listPods, scrape: (url) => scrapeSnapshot(url, deps.timeoutMs) });

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

  function readSignal(key: string, spec: QueueScalerSpec, targetSelector: LabelSelector | undefined): Promise<SignalReading> {
    const control = spec.admissionControl!;
    if (control.bookingPods) return signal.fromPods(key, key.split('/')[0] ?? '', control.bookingPods, targetSelector);
    return signal.fromUrl(key, control.bookingMetricsUrl ?? '');
  }

  return {
    /**
     * One poll: the new rate, written to every fed queue; what the status should show.
     * `targetSelector` (the scale target's pod selector) finds booking's pods when bookingPods names none.
     */
    async control(key: string, spec: QueueScalerSpec, status: QueueScalerStatus | undefined, pollingSeconds: number, targetSelector?: LabelSelector): Promise<AdmissionStatus> {
      const control = spec.admissionControl;
      if (!control) return {};
      if (!deps.queue) return { admissionMessage: 'admissionControl needs the operator to run with QUEUE_URL and INTERNAL_TOKEN' };
      const remembered = memory.get(key);
      // a new leader carries on from the rate in the status instead of dropping to the floor mid-sale
      const previous = remembered ?? (status?.admitPerMinute ? { admitPerMinute: status.admitPerMinute, atMs: clock.now() } : undefined);
      const queues = await fedQueues(spec);
      const { health, pods, unreadable } = await readSignal(key, spec, targetSelector);
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
      memory.set(key, decision.memory);
      if (decision.admitPerMinute !== previous?.admitPerMinute) {
        logger.info({ key, verdict: decision.verdict, admitPerMinute: decision.admitPerMinute, queues: queues.length, bookingPods: pods, unreadable }, decision.message);
      }
      const message = health.ok && unreadable > 0 ? `${decision.message} (${unreadable} of ${pods + unreadable} booking pods unreadable, left out)` : decision.message;
      const result: AdmissionStatus = { admitPerMinute: decision.admitPerMinute, adminAdmitPerMinute: ceiling, bookingPods: pods, admissionMessage: message.slice(0, 1024) };
      if (health.ok && health.p95Ms !== undefined) result.bookingP95Milliseconds = Math.round(health.p95Ms);
      if (health.ok) result.bookingErrorPercent = Math.round(health.errorRatio * 10_000) / 100;
      return result;
    },
    forget(key: string) { memory.delete(key); signal.forget(key); },
    clear() { memory.clear(); signal.clear(); },
  };
}

export type Admission = ReturnType<typeof createAdmission>;
