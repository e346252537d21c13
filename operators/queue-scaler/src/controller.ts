/**
 * The reconcile loop: for one QueueScaler key, read the target and the queue, decide, scale
 * through the scale subresource, feed capacity back, write status, and say when to look again.
 * Level-triggered: everything is read fresh on each pass, so a missed watch event costs at most
 * one polling interval.
 */
import type { Logger } from '@ticketping/logger';
import type { RedisClient } from '@ticketping/redis';
import { conditionsFor, mergeConditions } from './conditions.ts';
import { decide, EMPTY_HISTORY, type Clock, type Decision, type MetricReading, type ScaleHistory } from './decide.ts';
import { describeError, statusCodeOf, type Kube, type QueueScalerWatch, type TargetState } from './kube.ts';
import type { OperatorMetrics } from './operator-metrics.ts';
// The subpath alone: the operator loads no service skeleton.
import { withTimeout } from '@ticketping/runtime/timeout';
import { admitPerMinuteFor, readQueueMetric, writeAdmitPerMinute } from './queue-source.ts';
import { withDefaults, type QueueScaler, type QueueScalerSpec, type QueueScalerStatus } from './types.ts';
import { createWorkQueue, jitter, type ReconcileResult } from './work-queue.ts';

export interface ControllerDeps {
  kube: Kube;
  redis: RedisClient;
  metrics: OperatorMetrics;
  logger: Logger;
  identity: string;
  clock: Clock;
  redisTimeoutMs: number;
  workers: number;
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
  let watch: QueueScalerWatch | undefined;

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

    const remembered = memory.get(key) ?? fromStatus(scaler.status);
    const metric = spec.paused ? { ok: true as const, value: scaler.status?.lastMetricValue ?? 0 } : await readMetric(spec);
    const { inFallback: wasInFallback, ...state } = remembered;
    const decision = decide({ spec, currentReplicas: target.replicas, metric, ...state }, clock);

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
    if (spec.capacityFeedback && metric.ok && !spec.paused) {
      extra.admitPerMinute = await feedCapacity(scaler, spec, target.readyReplicas);
    }
    await writeStatus(scaler, decision, extra);

    metrics.desired.set({ namespace, name }, decision.desiredReplicas);
    metrics.current.set({ namespace, name }, target.currentReplicas);
    metrics.failures.set({ namespace, name }, decision.consecutiveFailures);
    if (metric.ok) metrics.metricValue.set({ namespace, name }, metric.value);
    return nextPoll;
  }

  async function readMetric(spec: QueueScalerSpec): Promise<MetricReading> {
    try {
      return { ok: true, value: await withTimeout(readQueueMetric(redis, spec.source), deps.redisTimeoutMs, 'queue metric read') };
    } catch (error) {
      return { ok: false, error: describeError(error) };
    }
  }

  async function feedCapacity(scaler: QueueScaler, spec: QueueScalerSpec, readyReplicas: number): Promise<number | undefined> {
    const feedback = spec.capacityFeedback;
    const performanceId = feedback?.performanceId ?? spec.source.performanceId;
    if (!feedback || !performanceId) return undefined;
    const admitPerMinute = admitPerMinuteFor(readyReplicas, feedback);
    try {
      const changed = await withTimeout(writeAdmitPerMinute(redis, performanceId, admitPerMinute), deps.redisTimeoutMs, 'admitPerMinute write');
      if (changed) {
        logger.info({ queueScaler: scaler.metadata?.name, performanceId, admitPerMinute, readyReplicas }, 'admission rate follows booking capacity');
      }
      return admitPerMinute;
    } catch (error) {
      logger.warn({ err: error, performanceId }, 'could not write admitPerMinute');
      return scaler.status?.admitPerMinute;
    }
  }

  async function announceScale(scaler: QueueScaler, spec: QueueScalerSpec, from: number, decision: Decision): Promise<void> {
    const to = decision.desiredReplicas;
    const reason = decision.phase === 'fallback' ? 'FallbackScaled' : to > from ? 'ScaledUp' : 'ScaledDown';
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

  async function writeStatus(scaler: QueueScaler, decision: Decision | { targetError: string }, extra: QueueScalerStatus): Promise<void> {
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
