/**
 * The reconcile loop: for one QueueScaler key, read the target and the queue, decide, scale
 * through the scale subresource, feed capacity back, write status, and say when to look again.
 * Level-triggered: everything is read fresh on each pass, so a missed watch event costs at most
 * one polling interval. With admissionControl, each pass also sets the fed queues' admission rate
 * from booking's health (admission.ts).
 */
import type { Logger } from '@ticketping/logger';
import { conditionsFor, mergeConditions } from './conditions.ts';
import { findConflict, type Conflict } from './conflict.ts';
import { decide, EMPTY_HISTORY, type Clock, type Decision, type MetricReading, type ScaleHistory } from './decide.ts';
import { describeError, statusCodeOf, type Kube, type QueueScalerWatch, type TargetState } from './kube.ts';
import type { OperatorMetrics } from './operator-metrics.ts';
import type { Admission } from './admission.ts';
import type { RedisConnections } from './redis-connections.ts';
import { createBookingSignal, scrapeSnapshot, type LabelSelector } from './booking-signal.ts';
import { preWarmFloor, type PreWarmFloor } from './pre-warm.ts';
import { readOpenings, readQueueMetric } from './queue-source.ts';
// The subpath alone: the operator loads no service skeleton.
import { withTimeout } from '@ticketping/runtime/timeout';
import { withDefaults, type QueueScaler, type QueueScalerSpec, type QueueScalerStatus } from './types.ts';
import { createWorkQueue, jitter, type ReconcileResult } from './work-queue.ts';

export interface ControllerDeps {
  kube: Kube;
  redis: RedisConnections;
  metrics: OperatorMetrics;
  logger: Logger;
  identity: string;
  clock: Clock;
  redisTimeoutMs: number;
  workers: number;
  admission: Admission;
  /** How long one pod's /metrics may take (source.metric requestRate). */
  scrapeTimeoutMs: number;
}

/** What the leader remembers per QueueScaler between polls. */
interface Memory {
  history: ScaleHistory;
  consecutiveFailures: number;
  lastActiveTimeMs: number | undefined;
  /** Whether the last decision fell back (the cached status may lag behind our own write). */
  inFallback: boolean;
}

const JITTER = 0.1;

export function createController(deps: ControllerDeps) {
  const { kube, redis, metrics, logger, clock } = deps;
  const memory = new Map<string, Memory>();
  const seenGeneration = new Map<string, number | undefined>();
  /** Keys standing back from a conflicted target (for one Event per conflict, not one per poll). */
  const inConflict = new Set<string>();
  let watch: QueueScalerWatch | undefined;
  /** The pods' counters behind `requestRate` sources, per QueueScaler (the scraping admission control uses for booking). */
  const rates = createBookingSignal({ listPods: kube.listPods, scrape: (url, route) => scrapeSnapshot(url, deps.scrapeTimeoutMs, route), clock });

  const queue = createWorkQueue(reconcileTimed, {
    concurrency: deps.workers,
    baseBackoffMs: 500,
    maxBackoffMs: 60_000,
    onError: (key, error, retryInMs) => logger.warn({ key, err: error, retryInMs }, 'reconcile failed'),
  });

  async function reconcileTimed(key: string): Promise<ReconcileResult> {
    const end = metrics.reconcileDuration.startTimer();
    try {
      const result = await reconcile(key);
      end({ outcome: 'ok' });
      return result;
    } catch (error) {
      end({ outcome: 'error' });
      throw error;
    }
  }

  async function reconcile(key: string): Promise<ReconcileResult> {
    const [namespace = '', name = ''] = key.split('/');
    const scaler = watch?.get(namespace, name);
    if (!scaler) {
      memory.delete(key);
      deps.admission.forget(key);
      rates.forget(key);
      inConflict.delete(key);
      seenGeneration.delete(key);
      metrics.forget(namespace, name);
      queue.forget(key);
      return {};
    }
    const spec = withDefaults(scaler.spec);
    const nextPoll = { requeueAfterMs: jitter(spec.pollingIntervalSeconds * 1000, JITTER) };

    let target: TargetState;
    try {
      target = await kube.readTarget(namespace, spec.scaleTargetRef.name);
    } catch (error) {
      if (statusCodeOf(error) !== 404) throw error; // transient: back off
      await writeStatus(scaler, { targetError: describeError(error) }, {});
      return nextPoll; // a target that does not exist yet is normal polling, not a failure
    }

    const conflict = findConflict(scaler, watch?.list().filter((qs) => qs.metadata?.namespace === namespace) ?? [], await kube.listHpas(namespace));
    if (conflict) {
      await standBack(key, scaler, conflict, target);
      return nextPoll;
    }
    if (inConflict.delete(key)) await event(scaler, 'ConflictResolved', 'Normal', `Deployment ${spec.scaleTargetRef.name} has no other owner any more: scaling resumes`);

    const remembered = memory.get(key) ?? fromStatus(scaler.status);
    const metric = spec.paused ? { ok: true as const, value: scaler.status?.lastMetricValue ?? 0 } : await readMetric(key, namespace, spec, target.selector);
    const { inFallback: wasInFallback, ...state } = remembered;
    const floor = metric.ok && !spec.paused ? await readPreWarm(spec) : undefined;
    const decision = decide({ spec, currentReplicas: target.replicas, metric, ...state, ...(floor ? { floor } : {}) }, clock);

    const extra: QueueScalerStatus = { readyReplicas: target.readyReplicas, currentReplicas: target.currentReplicas };
    if (metric.ok && !spec.paused) {
      extra.lastMetricValue = metric.value;
      extra.lastMetricTime = new Date(clock.now()).toISOString();
    }
    if (decision.desiredReplicas !== target.replicas) {
      await kube.scaleTarget(namespace, spec.scaleTargetRef.name, decision.desiredReplicas);
      extra.lastScaleTime = new Date(clock.now()).toISOString();
      await announceScale(scaler, spec, target.replicas, decision);
    }
    // remembered only once the scale it may record went through
    memory.set(key, {
      history: decision.history, consecutiveFailures: decision.consecutiveFailures,
      lastActiveTimeMs: decision.lastActiveTimeMs, inFallback: decision.phase === 'fallback',
    });
    if (decision.phase === 'fallback' && !wasInFallback) {
      await event(scaler, 'FallbackActivated', 'Warning', decision.message);
    }
    if (spec.admissionControl && !spec.paused) {
      Object.assign(extra, await deps.admission.control(key, spec, scaler.status, spec.pollingIntervalSeconds, target.selector));
    }
    await writeStatus(scaler, decision, extra);

    metrics.desired.set({ namespace, name }, decision.desiredReplicas);
    metrics.current.set({ namespace, name }, target.currentReplicas);
    metrics.failures.set({ namespace, name }, decision.consecutiveFailures);
    if (metric.ok) metrics.metricValue.set({ namespace, name }, metric.value);
    if (extra.admitPerMinute !== undefined) metrics.admitPerMinute.set({ namespace, name }, extra.admitPerMinute);
    if (extra.adminAdmitPerMinute !== undefined) metrics.adminAdmitPerMinute.set({ namespace, name }, extra.adminAdmitPerMinute);
    if (extra.bookingPods !== undefined) metrics.bookingPods.set({ namespace, name }, extra.bookingPods);
    if (extra.bookingP95Milliseconds !== undefined) metrics.bookingP95.set({ namespace, name }, extra.bookingP95Milliseconds);
    return nextPoll;
  }

  /** Another owner scales the target: nothing is written to it (nor to the queues' rate), the status says why. */
  async function standBack(key: string, scaler: QueueScaler, conflict: Conflict, target: TargetState): Promise<void> {
    if (!inConflict.has(key)) {
      inConflict.add(key);
      logger.warn({ queueScaler: key, reason: conflict.reason }, conflict.message);
      await event(scaler, 'Conflict', 'Warning', conflict.message);
    }
    memory.delete(key); // when the conflict ends, the decision starts afresh from the target as it is then
    deps.admission.forget(key);
    rates.forget(key);
    await writeStatus(scaler, { conflict }, { readyReplicas: target.readyReplicas, currentReplicas: target.currentReplicas });
  }

  /** The pre-warm floor, if a room opens soon; a failed read only skips the pre-warm for this poll. */
  async function readPreWarm(spec: QueueScalerSpec): Promise<PreWarmFloor | undefined> {
    if (!spec.preWarm) return undefined;
    try {
      const openings = await withTimeout(readOpenings(redis.for(spec.redisRef), spec.source), deps.redisTimeoutMs, 'pre-queue read');
      return preWarmFloor(spec.preWarm, openings, clock.now());
    } catch (error) {
      logger.warn({ err: error }, 'could not read the scheduled opens for the pre-warm');
      return undefined;
    }
  }

  async function readMetric(key: string, namespace: string, spec: QueueScalerSpec, targetSelector: LabelSelector | undefined): Promise<MetricReading> {
    if (spec.source.metric === 'requestRate') {
      // no Redis on this path: the tier's own pods say how many requests they serve
      const reading = await rates.rateFromPods(key, namespace, spec.source.pods!, targetSelector, spec.source.route);
      return reading.ok ? { ok: true, value: Math.round(reading.value) } : reading;
    }
    try {
      return { ok: true, value: await withTimeout(readQueueMetric(redis.for(spec.redisRef), spec.source), deps.redisTimeoutMs, 'queue metric read') };
    } catch (error) {
      return { ok: false, error: describeError(error) };
    }
  }

  async function announceScale(scaler: QueueScaler, spec: QueueScalerSpec, from: number, decision: Decision): Promise<void> {
    const to = decision.desiredReplicas;
    const reason = decision.phase === 'fallback' ? 'FallbackScaled' : decision.phase === 'prewarm' ? 'PreWarmed' : to > from ? 'ScaledUp' : 'ScaledDown';
    const note = `Scaled ${spec.scaleTargetRef.name} from ${from} to ${to}: ${decision.message}`;
    logger.info({ queueScaler: scaler.metadata?.name, namespace: scaler.metadata?.namespace, from, to, phase: decision.phase }, 'scaled');
    await event(scaler, reason, decision.phase === 'fallback' ? 'Warning' : 'Normal', note);
  }

  async function event(scaler: QueueScaler, reason: string, type: 'Normal' | 'Warning', note: string): Promise<void> {
    try {
      await kube.emitEvent({ scaler, reason, type, note, identity: deps.identity });
    } catch (error) {
      // an Event is for people; losing one must not fail the scale it describes
      logger.warn({ err: error, reason }, 'could not record an Event');
    }
  }

  async function writeStatus(scaler: QueueScaler, decision: Decision | { targetError: string } | { conflict: Conflict }, extra: QueueScalerStatus): Promise<void> {
    const generation = scaler.metadata?.generation ?? 0;
    const drafts = conditionsFor(decision, Boolean(scaler.spec.fallback));
    const status: QueueScalerStatus = {
      observedGeneration: generation,
      ...extra,
      conditions: mergeConditions(scaler.status?.conditions, drafts, generation, new Date(clock.now())),
    };
    if ('desiredReplicas' in decision) {
      status.desiredReplicas = decision.desiredReplicas;
      status.consecutiveFailures = decision.consecutiveFailures;
      if (decision.lastActiveTimeMs !== undefined) status.lastActiveTime = new Date(decision.lastActiveTimeMs).toISOString();
    }
    await kube.patchStatus(scaler.metadata?.namespace ?? '', scaler.metadata?.name ?? '', status);
  }

  return {
    /** Watch callback: a new or changed spec is reconciled at once; our own status writes are not. */
    onUpsert(scaler: QueueScaler) {
      const key = keyOf(scaler);
      const generation = scaler.metadata?.generation;
      if (seenGeneration.has(key) && seenGeneration.get(key) === generation) return;
      seenGeneration.set(key, generation);
      queue.add(key);
    },
    onDelete(scaler: QueueScaler) {
      const key = keyOf(scaler);
      // a QueueScaler re-created under the same name starts afresh
      seenGeneration.delete(key);
      memory.delete(key);
      deps.admission.forget(key);
      rates.forget(key);
      queue.add(key);
    },
    /** Starts reconciling (on becoming leader): every known QueueScaler is queued. */
    start() {
      queue.start();
      for (const scaler of watch?.list() ?? []) queue.add(keyOf(scaler));
    },
    setWatch(source: QueueScalerWatch) { watch = source; },
    async stop() {
      await queue.stop();
      memory.clear();
      deps.admission.clear();
      rates.clear();
      metrics.forgetAll();
    },
  };
}

export function keyOf(scaler: QueueScaler): string {
  return `${scaler.metadata?.namespace ?? ''}/${scaler.metadata?.name ?? ''}`;
}

/** A new leader picks up where the status left off: failures in a row and the last active time. */
function fromStatus(status: QueueScalerStatus | undefined): Memory {
  return {
    history: EMPTY_HISTORY,
    consecutiveFailures: status?.consecutiveFailures ?? 0,
    lastActiveTimeMs: status?.lastActiveTime ? Date.parse(status.lastActiveTime) : undefined,
    inFallback: status?.conditions?.some((c) => c.type === 'Fallback' && c.status === 'True') ?? false,
  };
}
