/**
 * Shared pieces of the operator's integration tests: the real API server of the test environment,
 * the CRD, a namespace per suite, and the operator itself run as a child process (`src/main.ts`),
 * exactly as it runs in a pod, so tests can kill it the hard way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import path from 'node:path';
import {
  ApiextensionsV1Api, AppsV1Api, AutoscalingV2Api, AuthorizationV1Api, RbacAuthorizationV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi, EventsV1Api, KubeConfig,
  KubernetesObjectApi, PatchStrategy, PolicyV1Api, setHeaderOptions,
} from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';

export const repoRoot = path.resolve(import.meta.dirname, '../../..');
export const CRD_PATH = path.join(repoRoot, 'charts/queue-scaler/crds/queuescalers.scaling.ticketping.dev.yaml');
export const GROUP = 'scaling.ticketping.dev';
export const VERSION = 'v1alpha1';
export const PLURAL = 'queuescalers';

export function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(testEnv.kubeconfig);
  return kc;
}

export function clients(kc = kubeConfig()) {
  return {
    kc,
    apps: kc.makeApiClient(AppsV1Api),
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    events: kc.makeApiClient(EventsV1Api),
    leases: kc.makeApiClient(CoordinationV1Api),
    objects: KubernetesObjectApi.makeApiClient(kc),
    crds: kc.makeApiClient(ApiextensionsV1Api),
    rbac: kc.makeApiClient(RbacAuthorizationV1Api),
    authorization: kc.makeApiClient(AuthorizationV1Api),
    autoscaling: kc.makeApiClient(AutoscalingV2Api),
    policy: kc.makeApiClient(PolicyV1Api),
  };
}
export type Clients = ReturnType<typeof clients>;

/** A copy of the test kubeconfig whose requests impersonate `user` (e.g. a ServiceAccount), so RBAC applies to them. */
export function impersonatingKubeconfig(user: string): string {
  const config = parse(readFileSync(testEnv.kubeconfig, 'utf8')) as { users: { user: Record<string, unknown> }[] };
  for (const entry of config.users) entry.user.as = user;
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'qs-kubeconfig-')), 'kubeconfig');
  writeFileSync(file, stringify(config), { mode: 0o600 });
  return file;
}

export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export { statusCodeOf } from '../src/kube.ts';

/** Server-side applies the chart's CRD and waits until it is served. */
export async function applyCrd(c: Clients): Promise<void> {
  // patch bodies go out as given; the typed create/replace serializers would drop `default` and `x-kubernetes-*` keys
  const crd = parse(readFileSync(CRD_PATH, 'utf8')) as { metadata: { name: string } };
  await c.crds.patchCustomResourceDefinition(
    { name: crd.metadata.name, body: crd, fieldManager: 'queue-scaler-tests', force: true },
    setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
  );
  await eventually(async () => {
    const got = await c.crds.readCustomResourceDefinition({ name: 'queuescalers.scaling.ticketping.dev' });
    return got.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True');
  }, 20_000, 100);
}

export async function createNamespace(c: Clients, label: string): Promise<string> {
  const name = randomPrefix(label).replace(/_/g, '-');
  await c.core.createNamespace({ body: { metadata: { name } } });
  return name;
}

export async function deleteNamespace(c: Clients, name: string): Promise<void> {
  await c.core.deleteNamespace({ name }).catch(() => undefined);
}

/** A Deployment like the booking tier's; the test cluster's scheduler and kwok Nodes run its pods and make them Ready. */
export async function createDeployment(c: Clients, namespace: string, name: string, replicas = 1): Promise<void> {
  const labels = { app: name };
  await c.apps.createNamespacedDeployment({
    namespace,
    fieldManager: 'queue-scaler-tests',
    body: {
      metadata: { name, labels },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name, image: 'ticketping/booking:test' }] } },
      },
    },
  });
}

export async function replicasOf(c: Clients, namespace: string, name: string): Promise<number> {
  const d = await c.apps.readNamespacedDeployment({ namespace, name });
  return d.spec?.replicas ?? -1;
}

export interface QueueScalerObject {
  metadata: { name: string; generation?: number };
  spec: Record<string, unknown>;
  status?: {
    observedGeneration?: number; desiredReplicas?: number; currentReplicas?: number; readyReplicas?: number;
    lastMetricValue?: number; lastMetricTime?: string; lastActiveTime?: string; lastScaleTime?: string;
    consecutiveFailures?: number; admitPerMinute?: number;
    adminAdmitPerMinute?: number; bookingP95Milliseconds?: number; bookingErrorPercent?: number; bookingPods?: number; admissionMessage?: string;
    conditions?: { type: string; status: string; reason: string; message: string; observedGeneration?: number }[];
  };
}

export async function createQueueScaler(c: Clients, namespace: string, name: string, spec: Record<string, unknown>): Promise<QueueScalerObject> {
  return await c.custom.createNamespacedCustomObject({
    group: GROUP, version: VERSION, namespace, plural: PLURAL,
    body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'QueueScaler', metadata: { name }, spec },
  }) as QueueScalerObject;
}

export async function readQueueScaler(c: Clients, namespace: string, name: string): Promise<QueueScalerObject> {
  return await c.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name }) as QueueScalerObject;
}

export async function patchQueueScaler(c: Clients, namespace: string, name: string, spec: Record<string, unknown>): Promise<QueueScalerObject> {
  return await c.custom.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { spec } }, mergePatch) as QueueScalerObject;
}

export function condition(qs: QueueScalerObject, type: string) {
  return qs.status?.conditions?.find((x) => x.type === type);
}

/** The API server's own message for a rejected request. */
export function apiMessage(error: unknown): string {
  let body = (error as { body?: unknown }).body;
  for (let i = 0; typeof body === 'string' && i < 2; i++) {
    try { body = JSON.parse(body); } catch { break; }
  }
  return String((body as { message?: string } | undefined)?.message ?? error);
}

/**
 * What `kubectl get queuescalers -o wide` shows: the API server's Table rendering of the printer
 * columns (priority > 0 included), as column name → cell rows.
 */
export async function queueScalerTable(c: Clients, namespace: string): Promise<Record<string, string>[]> {
  const table = await c.custom.listNamespacedCustomObject(
    { group: GROUP, version: VERSION, namespace, plural: PLURAL },
    setHeaderOptions('Accept', 'application/json;as=Table;v=v1;g=meta.k8s.io'),
  ) as { kind: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
  if (table.kind !== 'Table') throw new Error(`expected a Table, got ${table.kind}`);
  return table.rows.map((row) => Object.fromEntries(table.columnDefinitions.map((col, i) => [col.name, String(row.cells[i] ?? '')])));
}

/** Whether `user` (a ServiceAccount) may do something: a SubjectAccessReview, as `kubectl auth can-i --as` does. */
export async function serviceAccountCan(
  c: Clients, serviceAccount: { namespace: string; name: string },
  attributes: { verb: string; group?: string; resource: string; subresource?: string; namespace?: string; name?: string },
): Promise<boolean> {
  const review = await c.authorization.createSubjectAccessReview({
    body: {
      spec: {
        user: `system:serviceaccount:${serviceAccount.namespace}:${serviceAccount.name}`,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${serviceAccount.namespace}`, 'system:authenticated'],
        resourceAttributes: attributes,
      },
    },
  });
  return review.status?.allowed === true;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface OperatorProcess {
  identity: string;
  port: number;
  child: ChildProcess;
  logs(): string;
  metrics(): Promise<string>;
  /** SIGTERM (graceful) or SIGKILL (a crash); resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `src/main.ts` as its own process and waits until it answers /readyz. */
export async function startOperator(identity: string, env: Record<string, string>): Promise<OperatorProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--conditions=source', path.join(repoRoot, 'operators/queue-scaler/src/main.ts')], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      KUBECONFIG: testEnv.kubeconfig,
      POD_NAME: identity,
      HTTP_PORT: String(port),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`operator exited: ${output}`);
    return (await fetch(`${base}/readyz`)).ok;
  }, 20_000, 100);
  return {
    identity, port, child,
    logs: () => output,
    metrics: async () => (await fetch(`${base}/metrics`)).text(),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Reads one sample of a Prometheus text exposition (labels matched as a substring). */
export function sample(text: string, metric: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(metric) && (l[metric.length] === ' ' || l[metric.length] === '{') && l.includes(labels));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

export const operatorEnv = (namespace: string, redisUrl = testEnv.redisUrl): Record<string, string> => ({
  REDIS_URL: redisUrl,
  WATCH_NAMESPACE: namespace,
  LEASE_NAMESPACE: namespace,
  LEASE_DURATION_MS: '4000',
  RENEW_DEADLINE_MS: '3000',
  RETRY_PERIOD_MS: '500',
  REDIS_TIMEOUT_MS: '300',
});

export interface ServiceProcess {
  base: string;
  stop(): Promise<void>;
  logs(): string;
}

/**
 * The queue service's `src/main.ts` as its own process, as in a pod. Its own admission loop and
 * rebuild are slowed to once an hour: the tests tick their queues themselves, and in the shared
 * Redis it must not tick other suites' queues.
 */
export async function startQueueProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const [port, managementPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--conditions=source', path.join(repoRoot, 'services/queue/src/main.ts')], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), MANAGEMENT_PORT: String(managementPort),
      REDIS_URL: testEnv.redisUrl, QUEUE_TICK_MS: '3600000', QUEUE_REBUILD_INTERVAL_MS: '3600000', CATALOG_URL: 'http://127.0.0.1:9',
      // the suites fill their lines themselves; proof-of-work at entry has its own suite in services/queue
      QUEUE_POW_MAX_NUMBER: '0', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`queue exited: ${output}`);
    return (await fetch(`http://127.0.0.1:${managementPort}/readyz`)).ok;
  }, 60_000, 200);
  return {
    base: `http://127.0.0.1:${port}`,
    logs: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
