/**
 * Who else claims a target's replica count. Two writers of `spec.replicas` fight (each undoes the
 * other every few seconds), so a QueueScaler that is not the target's only owner writes nothing to
 * it and says why (Conflict condition, Event). Pure: the caller lists what exists.
 *
 * - An HPA on the same Deployment (KEDA's ScaledObjects make one too): every QueueScaler on that
 *   target stands back; the HPA was put there on purpose and removing it is a person's decision.
 * - Several QueueScalers on one Deployment: the oldest (then the first by name) keeps it, so adding
 *   a duplicate never takes an on-sale's working scaler away.
 */
import type { QueueScaler } from './types.ts';

export interface HpaRef {
  name: string;
  targetKind: string;
  targetName: string;
}

export interface Conflict {
  reason: 'HorizontalPodAutoscaler' | 'QueueScaler';
  message: string;
}

const createdMs = (qs: QueueScaler) => new Date(qs.metadata?.creationTimestamp ?? 0).getTime();
const olderFirst = (a: QueueScaler, b: QueueScaler) =>
  createdMs(a) - createdMs(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');

export function findConflict(self: QueueScaler, sameNamespace: readonly QueueScaler[], hpas: readonly HpaRef[]): Conflict | undefined {
  const target = self.spec.scaleTargetRef.name;
  const hpa = hpas.find((h) => h.targetKind === 'Deployment' && h.targetName === target);
  if (hpa) {
    return { reason: 'HorizontalPodAutoscaler', message: `HorizontalPodAutoscaler ${hpa.name} also scales Deployment ${target}: this QueueScaler writes nothing to it until one of them is removed` };
  }
  const owner = sameNamespace
    .filter((qs) => qs.spec.scaleTargetRef.name === target)
    .sort(olderFirst)[0];
  if (owner && owner.metadata?.name !== self.metadata?.name) {
    return { reason: 'QueueScaler', message: `QueueScaler ${owner.metadata?.name ?? ''} is older and already scales Deployment ${target}: this one writes nothing to it` };
  }
  return undefined;
}
