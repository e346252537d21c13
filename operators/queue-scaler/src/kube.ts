/**
 * Everything the operator asks of the Kubernetes API, and the only file that imports the client.
 * The rest of the operator sees plain functions and plain objects.
 */
import {
  AppsV1Api, AutoscalingV2Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi, EventsV1Api, KubeConfig, PatchStrategy, V1MicroTime,
  makeInformer, setHeaderOptions, type KubernetesListObject, type V1Lease,
} from '@kubernetes/client-node';
import type { Logger } from '@ticketping/logger';
import type { LabelSelector, PodView } from './booking-signal.ts';
import type { HpaRef } from './conflict.ts';
import type { LeaseRecord, LeaseStore, StoredLease } from './leader-election.ts';
import { GROUP, KIND, PLURAL, VERSION, type QueueScaler, type QueueScalerStatus } from './types.ts';

/** The operator's field manager: `kubectl get deploy -o yaml --show-managed-fields` names it as the owner of spec.replicas. */
export const FIELD_MANAGER = 'queue-scaler';
export const REPORTING_CONTROLLER = 'scaling.ticketping.dev/queue-scaler';

/** A kubeconfig file when given (local runs, tests), the in-cluster ServiceAccount otherwise. */
export function loadKubeConfig(kubeconfigPath?: string): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else kc.loadFromDefault();
  return kc;
}

export interface TargetState {
  /** spec.replicas: what the Deployment is asked to run. */
  replicas: number;
  /** status.replicas: pods that exist. */
  currentReplicas: number;
  readyReplicas: number;
  /** The Deployment's pod selector (booking's pods for admission control, unless the spec names others). */
  selector?: LabelSelector;
}

export interface QueueScalerWatch {
  get(namespace: string, name: string): QueueScaler | undefined;
  list(): readonly QueueScaler[];
  /** True once the first list arrived (readiness). */
  synced(): boolean;
  stop(): Promise<void>;
}

export interface WatchHandlers {
  onUpsert(obj: QueueScaler): void;
  onDelete(obj: QueueScaler): void;
}

export interface ScaleEvent {
  scaler: QueueScaler;
  reason: string;
  note: string;
  type: 'Normal' | 'Warning';
  identity: string;
}

export type Kube = ReturnType<typeof createKube>;

function eventSuffix(): string {
  return `${(Date.now() * 1000).toString(16)}${Math.floor(Math.random() * 0xfff).toString(16)}`;
}

/** HTTP status of a client error, if it has one. */
export function statusCodeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown; statusCode?: unknown } | undefined);
  const value = code?.code ?? code?.statusCode;
  return typeof value === 'number' ? value : undefined;
}

/** A one-line reason from an API error (its Status message when there is one). */
export function describeError(error: unknown): string {
  let body = (error as { body?: unknown } | undefined)?.body;
  // client-node 2.x hands the Status back as JSON, sometimes wrapped in a JSON string
  for (let depth = 0; typeof body === 'string' && depth < 2; depth++) {
    try {
      body = JSON.parse(body);
    } catch {
      break;
    }
  }
  const message = (body as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string') return message;
  return error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error);
}

export function createKube(kc: KubeConfig, logger: Logger) {
  const apps = kc.makeApiClient(AppsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const events = kc.makeApiClient(EventsV1Api);
  const coordination = kc.makeApiClient(CoordinationV1Api);
  const autoscaling = kc.makeApiClient(AutoscalingV2Api);
  const core = kc.makeApiClient(CoreV1Api);
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

  /**
   * Watches QueueScalers (one namespace, or all) through an informer; when the watch fails for any
   * reason other than the ones the client retries itself, it is started again with backoff.
   */
  function watchQueueScalers(namespace: string | undefined, handlers: WatchHandlers): QueueScalerWatch {
    const path = namespace ? `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}` : `/apis/${GROUP}/${VERSION}/${PLURAL}`;
    const list = async () => (namespace
      ? custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL })
      : custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL })) as Promise<KubernetesListObject<QueueScaler & { metadata: object }>>;
    const informer = makeInformer(kc, path, list);
    let synced = false;
    let stopped = false;
    let restartDelayMs = 500;
    let restartTimer: NodeJS.Timeout | undefined;
    let failedSinceStart = false;
    informer.on('add', (obj) => handlers.onUpsert(obj));
    informer.on('update', (obj) => handlers.onUpsert(obj));
    informer.on('delete', (obj) => handlers.onDelete(obj));
    informer.on('connect', () => { restartDelayMs = 500; });
    informer.on('error', (error: unknown) => {
      failedSinceStart = true;
      if (stopped) return;
      logger.warn({ err: error, retryInMs: restartDelayMs }, 'QueueScaler watch failed; restarting');
      restartTimer = setTimeout(() => { void start(); }, restartDelayMs);
      restartDelayMs = Math.min(restartDelayMs * 2, 30_000);
    });
    const start = async () => {
      failedSinceStart = false;
      try {
        await informer.start();
        if (!failedSinceStart) synced = true; // listed and watching (the list may have been empty)
      } catch (error) {
        logger.warn({ err: error }, 'QueueScaler watch did not start');
      }
    };
    void start();
    return {
      get: (ns, name) => informer.get(name, ns),
      list: () => informer.list(),
      synced: () => synced,
      async stop() {
        stopped = true;
        clearTimeout(restartTimer);
        await informer.stop();
      },
    };
  }

  async function readTarget(namespace: string, name: string): Promise<TargetState> {
    const d = await apps.readNamespacedDeployment({ namespace, name });
    return {
      replicas: d.spec?.replicas ?? 1, currentReplicas: d.status?.replicas ?? 0, readyReplicas: d.status?.readyReplicas ?? 0,
      ...(d.spec?.selector ? { selector: d.spec.selector as LabelSelector } : {}),
    };
  }

  /** Pods matching a label selector, reduced to what booking's signal needs (address, readiness, ports). */
  async function listPods(namespace: string, labelSelector: string): Promise<PodView[]> {
    try {
      const list = await core.listNamespacedPod({ namespace, labelSelector });
      return list.items.map((pod) => ({
        uid: pod.metadata?.uid ?? pod.metadata?.name ?? '',
        name: pod.metadata?.name ?? '',
        ip: pod.status?.podIP,
        ready: pod.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp
          && (pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false),
        ports: (pod.spec?.containers ?? []).flatMap((container) => container.ports ?? []).map((p) => ({ ...(p.name ? { name: p.name } : {}), containerPort: p.containerPort })),
      }));
    } catch (error) {
      throw new Error(describeError(error), { cause: error });
    }
  }

  /** The HPAs of a namespace and what they scale (another owner of a target: conflict.ts). */
  async function listHpas(namespace: string): Promise<HpaRef[]> {
    const list = await autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace });
    return list.items.map((h) => ({ name: h.metadata?.name ?? '', targetKind: h.spec?.scaleTargetRef.kind ?? '', targetName: h.spec?.scaleTargetRef.name ?? '' }));
  }

  /** Writes replicas through the scale subresource, under the operator's own field manager. */
  async function scaleTarget(namespace: string, name: string, replicas: number): Promise<void> {
    await apps.patchNamespacedDeploymentScale(
      { namespace, name, body: { spec: { replicas } }, fieldManager: FIELD_MANAGER },
      mergePatch,
    );
  }

  async function patchStatus(namespace: string, name: string, status: QueueScalerStatus): Promise<void> {
    await custom.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { status }, fieldManager: FIELD_MANAGER },
      mergePatch,
    );
  }

  async function emitEvent({ scaler, reason, note, type, identity }: ScaleEvent): Promise<void> {
    const namespace = scaler.metadata?.namespace ?? 'default';
    const target = scaler.spec.scaleTargetRef;
    await events.createNamespacedEvent({
      namespace,
      body: {
        // client-go's naming: <object>.<hex time>; the events API does not accept a generateName ending in '.'
        metadata: { name: `${scaler.metadata?.name ?? 'queuescaler'}.${eventSuffix()}`, namespace },
        eventTime: new V1MicroTime(),
        reportingController: REPORTING_CONTROLLER,
        reportingInstance: identity,
        action: 'Scale',
        reason,
        note: note.slice(0, 1024),
        type,
        regarding: { apiVersion: `${GROUP}/${VERSION}`, kind: KIND, name: scaler.metadata?.name, namespace, uid: scaler.metadata?.uid },
        related: { apiVersion: target.apiVersion ?? 'apps/v1', kind: target.kind ?? 'Deployment', name: target.name, namespace },
      },
    });
  }

  function leaseStore(namespace: string, name: string): LeaseStore {
    const toStored = (lease: V1Lease): StoredLease => ({
      holderIdentity: lease.spec?.holderIdentity ?? '',
      leaseDurationSeconds: lease.spec?.leaseDurationSeconds ?? 0,
      // the client hands MicroTime back as a string
      acquireTime: new Date(lease.spec?.acquireTime ?? 0),
      renewTime: new Date(lease.spec?.renewTime ?? 0),
      leaseTransitions: lease.spec?.leaseTransitions ?? 0,
      resourceVersion: lease.metadata?.resourceVersion ?? '',
    });
    const toSpec = (r: LeaseRecord) => ({
      holderIdentity: r.holderIdentity,
      leaseDurationSeconds: r.leaseDurationSeconds,
      acquireTime: new V1MicroTime(r.acquireTime.getTime()),
      renewTime: new V1MicroTime(r.renewTime.getTime()),
      leaseTransitions: r.leaseTransitions,
    });
    return {
      async get() {
        try {
          return toStored(await coordination.readNamespacedLease({ namespace, name }));
        } catch (error) {
          if (statusCodeOf(error) === 404) return undefined;
          throw error;
        }
      },
      create: async (record) => toStored(await coordination.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: toSpec(record) } })),
      replace: async (record, resourceVersion) => toStored(await coordination.replaceNamespacedLease({
        namespace, name, body: { metadata: { name, namespace, resourceVersion }, spec: toSpec(record) },
      })),
    };
  }

  return { watchQueueScalers, readTarget, listPods, listHpas, scaleTarget, patchStatus, emitEvent, leaseStore };
}
