/**
 * The QueueScaler custom resource as the operator sees it. The CRD
 * (charts/queue-scaler/crds/queuescalers.scaling.ticketping.dev.yaml) is the schema of record;
 * `withDefaults` fills what the API server's defaults do not (nested behaviour rules), so the
 * decision never has to guess.
 */
import type { AdmissionControlSpec } from './admission-control.ts';
import type { BookingPods, ScrapedPods } from './booking-signal.ts';
import type { PreWarmSpec } from './pre-warm.ts';

export const GROUP = 'scaling.ticketping.dev';
export const VERSION = 'v1alpha1';
export const PLURAL = 'queuescalers';
export const KIND = 'QueueScaler';

/**
 * Which figure drives scaling: the waiting room's (`backlog` = waiting + active, from Redis), or
 * `requestRate`, the requests per second the target's own pods serve (their /metrics), for a tier
 * whose work is requests (the queue's status polls), not fans in line.
 */
export type SourceMetric = 'waiting' | 'active' | 'backlog' | 'requestRate';

export interface Source {
  metric: SourceMetric;
  performanceId?: string;
  /** requestRate: whose /metrics; the selector defaults to the target's. */
  pods?: ScrapedPods;
  /** requestRate: only routes whose template starts with this (e.g. `/api/v1/queues/:performanceId/entries/me`). */
  route?: string;
}

export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

/** autoscaling/v2 HPAScalingRules. */
export interface ScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: 'Max' | 'Min' | 'Disabled';
  policies: ScalingPolicy[];
}

export type FallbackBehavior = 'static' | 'currentReplicas' | 'currentReplicasIfHigher' | 'currentReplicasIfLower';

export interface QueueScalerSpec {
  scaleTargetRef: { apiVersion: string; kind: 'Deployment'; name: string };
  source: Source;
  targetPerReplica: number;
  activationThreshold: number;
  minReplicaCount: number;
  maxReplicaCount: number;
  pollingIntervalSeconds: number;
  cooldownPeriodSeconds: number;
  behavior: { scaleUp: ScalingRules; scaleDown: ScalingRules };
  fallback?: { failureThreshold: number; replicas: number; behavior: FallbackBehavior };
  paused: boolean;
  admissionControl?: AdmissionControl;
  /** One of the operator's named Redis connections (REDIS_CONNECTIONS); unset: its default one. */
  redisRef?: string;
  /** Scale ahead of a scheduled open to what the pre-queue predicts (pre-warm.ts). */
  preWarm?: PreWarmSpec;
}

/** The admission rate follows booking's health (admission-control.ts; README "Admission control"). */
export interface AdmissionControl extends AdmissionControlSpec {
  /** The queues to feed; omitted: source.performanceId, or every OPEN queue in tp:queues. */
  performanceIds?: string[];
  /** One booking /metrics URL (standalone, out of cluster); exactly one of this and bookingPods (CEL). */
  bookingMetricsUrl?: string;
  /** Every Ready booking pod's /metrics, in the QueueScaler's namespace. */
  bookingPods?: BookingPods;
}

export interface Condition {
  type: 'Ready' | 'Active' | 'Fallback' | 'Paused' | 'Conflict';
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface QueueScalerStatus {
  observedGeneration?: number;
  desiredReplicas?: number;
  currentReplicas?: number;
  readyReplicas?: number;
  lastMetricValue?: number;
  lastMetricTime?: string;
  lastActiveTime?: string;
  lastScaleTime?: string;
  consecutiveFailures?: number;
  admitPerMinute?: number;
  adminAdmitPerMinute?: number;
  bookingP95Milliseconds?: number;
  bookingErrorPercent?: number;
  /** Booking pods whose metrics made the last window. */
  bookingPods?: number;
  admissionMessage?: string;
  conditions?: Condition[];
}

export interface QueueScaler {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; generation?: number; uid?: string; resourceVersion?: string; /** A string on the wire, typed as the client types it. */ creationTimestamp?: Date };
  spec: Partial<Omit<QueueScalerSpec, 'scaleTargetRef'>> & Pick<QueueScalerSpec, 'targetPerReplica'> & {
    scaleTargetRef: { apiVersion?: string; kind?: string; name: string };
  };
  status?: QueueScalerStatus;
}

/** The HPA's defaults (autoscaling/v2), which KEDA hands through unchanged. */
export const DEFAULT_SCALE_UP: ScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Percent', value: 100, periodSeconds: 15 },
    { type: 'Pods', value: 4, periodSeconds: 15 },
  ],
};
export const DEFAULT_SCALE_DOWN: ScalingRules = {
  stabilizationWindowSeconds: 300,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

function rules(given: Partial<ScalingRules> | undefined, fallback: ScalingRules): ScalingRules {
  return {
    stabilizationWindowSeconds: given?.stabilizationWindowSeconds ?? fallback.stabilizationWindowSeconds,
    selectPolicy: given?.selectPolicy ?? fallback.selectPolicy,
    policies: given?.policies?.length ? given.policies : fallback.policies,
  };
}

/** The spec with every default applied (the same defaults the CRD declares, for objects created before them). */
export function withDefaults(spec: QueueScaler['spec']): QueueScalerSpec {
  const behavior = (spec.behavior ?? {}) as Partial<Record<'scaleUp' | 'scaleDown', Partial<ScalingRules>>>;
  return {
    scaleTargetRef: { apiVersion: spec.scaleTargetRef.apiVersion ?? 'apps/v1', kind: 'Deployment', name: spec.scaleTargetRef.name },
    source: sourceWithDefaults(spec.source),
    targetPerReplica: spec.targetPerReplica,
    activationThreshold: spec.activationThreshold ?? 0,
    minReplicaCount: spec.minReplicaCount ?? 1,
    maxReplicaCount: spec.maxReplicaCount ?? 10,
    pollingIntervalSeconds: spec.pollingIntervalSeconds ?? 10,
    cooldownPeriodSeconds: spec.cooldownPeriodSeconds ?? 300,
    behavior: { scaleUp: rules(behavior.scaleUp, DEFAULT_SCALE_UP), scaleDown: rules(behavior.scaleDown, DEFAULT_SCALE_DOWN) },
    ...(spec.fallback ? { fallback: { ...spec.fallback, behavior: spec.fallback.behavior ?? 'static' } } : {}),
    paused: spec.paused ?? false,
    ...(spec.redisRef ? { redisRef: spec.redisRef } : {}),
    ...(spec.preWarm ? { preWarm: { leadSeconds: spec.preWarm.leadSeconds ?? 300, holdSeconds: spec.preWarm.holdSeconds ?? 120, fansPerReplica: spec.preWarm.fansPerReplica } } : {}),
    ...(spec.admissionControl ? { admissionControl: admissionControlWithDefaults(spec.admissionControl) } : {}),
  };
}

function sourceWithDefaults(given: (Omit<Partial<Source>, 'pods'> & { pods?: Partial<ScrapedPods> }) | undefined): Source {
  const { pods, ...rest } = given ?? {};
  const source: Source = { ...rest, metric: rest.metric ?? 'backlog' };
  // a requestRate source always has pods: the target's own, on the management port, as the CRD defaults
  if (source.metric === 'requestRate' || pods) {
    source.pods = { ...(pods?.selector ? { selector: pods.selector } : {}), port: pods?.port ?? 'management', path: pods?.path ?? '/metrics' };
  }
  return source;
}

/** The CRD's defaults, for objects created before them. */
function admissionControlWithDefaults(
  given: Omit<Partial<AdmissionControl>, 'bookingPods'> & Pick<AdmissionControl, 'minAdmitPerMinute' | 'maxAdmitPerMinute'> & { bookingPods?: Partial<BookingPods> },
): AdmissionControl {
  return {
    ...(given.performanceIds?.length ? { performanceIds: given.performanceIds } : {}),
    ...(given.bookingMetricsUrl ? { bookingMetricsUrl: given.bookingMetricsUrl } : {}),
    ...(given.bookingPods ? {
      bookingPods: {
        ...(given.bookingPods.selector ? { selector: given.bookingPods.selector } : {}),
        port: given.bookingPods.port ?? 'management',
        path: given.bookingPods.path ?? '/metrics',
      },
    } : {}),
    slo: { p95Milliseconds: given.slo?.p95Milliseconds ?? 500, errorPercent: given.slo?.errorPercent ?? 1 },
    additiveIncrease: given.additiveIncrease ?? 60,
    decreasePercent: given.decreasePercent ?? 30,
    maxIncreasePerMinute: given.maxIncreasePerMinute ?? 600,
    minAdmitPerMinute: given.minAdmitPerMinute,
    maxAdmitPerMinute: given.maxAdmitPerMinute,
    minSamples: given.minSamples ?? 20,
  };
}
