/**
 * The queue-scaler Helm chart: lint, rendered objects (replicas, probes, least-privilege RBAC,
 * ServiceMonitor only with the monitoring API, values schema), one CRD source, and a real
 * `helm install` into the test API server whose ServiceAccount can do what the operator needs
 * and nothing else.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import { Redis } from 'ioredis';
import { queueKeys } from '@ticketping/redis';
import {
  applyCrd, clients, condition, CRD_PATH, createDeployment, createNamespace, createQueueScaler, deleteNamespace,
  impersonatingKubeconfig, operatorEnv, serviceAccountCan, readQueueScaler, replicasOf, repoRoot, startOperator,
} from './support.ts';

const run = promisify(execFile);
const chart = path.join(repoRoot, 'charts/queue-scaler');
const c = clients();
const redis = new Redis(testEnv.redisUrl);
const performanceId = randomPrefix('perf');
let ns = '';
let release = '';

function helmBinary(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(path.join(dir, 'helm'))) return path.join(dir, 'helm');
  return path.join(homedir(), '.cache/ticketping/bin/helm');
}
const helmEnv = () => ({ ...process.env, KUBECONFIG: testEnv.kubeconfig });
const helm = async (...args: string[]) => (await run(helmBinary(), args, { env: helmEnv() })).stdout;

interface K8sObject { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [key: string]: unknown }

async function render(...args: string[]): Promise<K8sObject[]> {
  const out = await helm('template', 'qs', chart, '--namespace', 'ops', ...args);
  return parseAllDocuments(out).map((d) => d.toJS() as K8sObject | null).filter((o): o is K8sObject => Boolean(o));
}
const find = (objects: K8sObject[], kind: string, name?: string) => objects.find((o) => o.kind === kind && (!name || o.metadata.name === name));

test.before(async () => {
  await applyCrd(c);
});

test.after(async () => {
  redis.disconnect();
  if (release) await helm('uninstall', release, '--namespace', ns).catch(() => undefined);
  if (ns) await deleteNamespace(c, ns);
});

test('helm lint --strict passes', async () => {
  const out = await helm('lint', '--strict', chart);
  assert.match(out, '0 chart(s) failed');
});

test('the CRD has one source: manifests/crds is the chart\'s crds/ file', () => {
  const manifest = path.join(repoRoot, 'manifests/crds/queuescalers.scaling.ticketping.dev.yaml');
  assert.is(readFileSync(manifest, 'utf8'), readFileSync(CRD_PATH, 'utf8'));
});

test('defaults: two replicas with leader election env, probes, a PDB, no ServiceMonitor without the API', async () => {
  const objects = await render();
  assert.equal(objects.map((o) => o.kind).sort(), [
    'ClusterRole', 'ClusterRoleBinding', 'Deployment', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'ServiceAccount',
  ]);
  const deployment = find(objects, 'Deployment') as K8sObject & { spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { serviceAccountName: string; containers: { env: { name: string; value?: string; valueFrom?: unknown }[]; readinessProbe: { httpGet: { path: string } }; livenessProbe: { httpGet: { path: string } }; securityContext: { readOnlyRootFilesystem: boolean } }[] } } } };
  assert.is(deployment.spec.replicas, 2);
  for (const [k, v] of Object.entries(deployment.spec.selector.matchLabels)) assert.is(deployment.spec.template.metadata.labels[k], v);
  const container = deployment.spec.template.spec.containers[0];
  const env = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
  assert.equal(env.POD_NAME, { fieldRef: { fieldPath: 'metadata.name' } });
  assert.equal(env.LEASE_NAMESPACE, { fieldRef: { fieldPath: 'metadata.namespace' } });
  assert.is(env.LEASE_DURATION_MS, '15000');
  assert.is(env.RENEW_DEADLINE_MS, '10000');
  assert.is(env.HTTP_HOST, '0.0.0.0');
  assert.is(container?.readinessProbe.httpGet.path, '/readyz');
  assert.is(container?.livenessProbe.httpGet.path, '/healthz');
  assert.is(container?.securityContext.readOnlyRootFilesystem, true);
  assert.is(deployment.spec.template.spec.serviceAccountName, 'qs-queue-scaler');
});

test('ServiceMonitor only when the cluster serves monitoring.coreos.com/v1, selecting the Service', async () => {
  const objects = await render('--api-versions', 'monitoring.coreos.com/v1/ServiceMonitor', '--set', 'metrics.serviceMonitor.labels.release=kps');
  const monitor = find(objects, 'ServiceMonitor') as K8sObject & { spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string }[] } };
  const service = find(objects, 'Service') as K8sObject & { spec: { ports: { name: string }[]; selector: Record<string, string> } };
  assert.ok(monitor);
  assert.is(monitor.metadata.labels?.release, 'kps');
  for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels)) assert.is(service.metadata.labels?.[k], v);
  assert.is(monitor.spec.endpoints[0]?.port, service.spec.ports[0]?.name);
  const off = await render('--api-versions', 'monitoring.coreos.com/v1/ServiceMonitor', '--set', 'metrics.serviceMonitor.enabled=false');
  assert.is(find(off, 'ServiceMonitor'), undefined);
});

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

test('RBAC is least privilege: no wildcards, only scale for Deployments, its own Lease', async () => {
  const objects = await render();
  const rules = (find(objects, 'ClusterRole') as K8sObject & { rules: Rule[] }).rules;
  const flat = rules.flatMap((r) => r.resources.map((res) => `${r.apiGroups.join(',')}/${res}: ${r.verbs.join(',')}`)).sort();
  assert.equal(flat, [
    '/pods: list',
    'apps/deployments/scale: patch',
    'apps/deployments: get',
    'autoscaling/horizontalpodautoscalers: list',
    'events.k8s.io/events: create',
    'scaling.ticketping.dev/queuescalers/status: patch',
    'scaling.ticketping.dev/queuescalers: get,list,watch',
  ]);
  const leaseRules = (find(objects, 'Role') as K8sObject & { rules: Rule[] }).rules;
  assert.equal(leaseRules, [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['qs-queue-scaler'], verbs: ['get', 'update'] },
  ]);
  const scoped = await render('--set', 'watchNamespace=shows');
  assert.is(find(scoped, 'ClusterRole'), undefined);
  const roles = scoped.filter((o) => o.kind === 'Role').map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort();
  assert.equal(roles, ['ops/qs-queue-scaler-leader-election', 'shows/qs-queue-scaler']);
});

test('redis.sentinel makes a Sentinel set the default connection; half of it is refused', async () => {
  const sentinelEnv = (objects: K8sObject[]) => {
    const deployment = find(objects, 'Deployment') as K8sObject & { spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } };
    return deployment.spec.template.spec.containers[0]?.env.filter((e) => e.name.startsWith('REDIS_SENTINEL'));
  };
  assert.equal(sentinelEnv(await render('--set', 'redis.sentinel.masterName=rooms', '--set', 'redis.sentinel.sentinels={s0.redis:26379,s1.redis:26379}')), [
    { name: 'REDIS_SENTINELS', value: 's0.redis:26379,s1.redis:26379' }, { name: 'REDIS_SENTINEL_MASTER', value: 'rooms' }]);
  assert.equal(sentinelEnv(await render()), []);
  try {
    await render('--set', 'redis.sentinel.masterName=rooms');
    assert.unreachable('accepted a master name without sentinels');
  } catch (error) {
    assert.match(String((error as { stderr?: string }).stderr ?? error), 'redis.sentinel needs both masterName and sentinels');
  }
});

test('values.schema.json rejects bad values', async () => {
  for (const [set, expected] of [['replicaCount=two', 'replicaCount'], ['redis.url=http://x', 'redis/url'], ['podAntiAffinityPreset=always', 'podAntiAffinityPreset'], ['typo=1', 'typo'], ['redis.sentinel.sentinels={no-port}', 'sentinels']]) {
    try {
      await render('--set', set as string);
      assert.unreachable(`accepted ${set}`);
    } catch (error) {
      assert.match(String((error as { stderr?: string }).stderr ?? error), expected as string);
    }
  }
});

test('helm install into the real API server; its ServiceAccount may do what the operator needs and no more', async () => {
  ns = await createNamespace(c, 'qs-chart');
  release = `qs-${ns.slice(-6)}`;
  await helm('install', release, chart, '--namespace', ns, '--set', 'redis.url=redis://redis.example:6379');
  const deployment = await c.apps.readNamespacedDeployment({ namespace: ns, name: `${release}-queue-scaler` });
  assert.is(deployment.spec?.replicas, 2);
  const sa = { namespace: ns, name: `${release}-queue-scaler` };
  const other = 'default';
  const lease = `${release}-queue-scaler`;
  const expectations: [Parameters<typeof serviceAccountCan>[2], boolean][] = [
    [{ verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: other }, true],
    [{ verb: 'get', group: 'apps', resource: 'deployments', namespace: other }, true],
    [{ verb: 'update', group: 'apps', resource: 'deployments', namespace: other }, false],
    [{ verb: 'patch', group: 'apps', resource: 'deployments', namespace: other }, false],
    [{ verb: 'update', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: other }, false],
    [{ verb: 'delete', resource: 'pods', namespace: other }, false],
    [{ verb: 'list', resource: 'pods', namespace: other }, true],
    [{ verb: 'get', resource: 'pods', subresource: 'exec', namespace: other }, false],
    [{ verb: 'get', resource: 'secrets', namespace: other }, false],
    [{ verb: 'watch', group: 'scaling.ticketping.dev', resource: 'queuescalers', namespace: other }, true],
    [{ verb: 'patch', group: 'scaling.ticketping.dev', resource: 'queuescalers', subresource: 'status', namespace: other }, true],
    [{ verb: 'update', group: 'scaling.ticketping.dev', resource: 'queuescalers', namespace: other }, false],
    [{ verb: 'delete', group: 'scaling.ticketping.dev', resource: 'queuescalers', namespace: other }, false],
    [{ verb: 'create', group: 'events.k8s.io', resource: 'events', namespace: other }, true],
    [{ verb: 'list', group: 'autoscaling', resource: 'horizontalpodautoscalers', namespace: other }, true],
    [{ verb: 'update', group: 'autoscaling', resource: 'horizontalpodautoscalers', namespace: other }, false],
    [{ verb: 'update', group: 'coordination.k8s.io', resource: 'leases', name: lease, namespace: ns }, true],
    [{ verb: 'update', group: 'coordination.k8s.io', resource: 'leases', name: 'someone-else', namespace: ns }, false],
    [{ verb: 'update', group: 'coordination.k8s.io', resource: 'leases', name: lease, namespace: other }, false],
  ];
  for (const [attributes, expected] of expectations) {
    assert.is(await serviceAccountCan(c, sa, attributes), expected, `can ${JSON.stringify(attributes)}`);
  }
});

test('the operator does its whole job with only the chart\'s permissions (requests impersonate its ServiceAccount)', async () => {
  const sa = `system:serviceaccount:${ns}:${release}-queue-scaler`;
  const stats = queueKeys(performanceId).stats;
  await redis.hset(stats, { waiting: 30, active: 0 });
  await createDeployment(c, ns, 'booking');
  await createQueueScaler(c, ns, 'booking', {
    scaleTargetRef: { name: 'booking' }, source: { performanceId }, targetPerReplica: 10, pollingIntervalSeconds: 1,
  });
  const operator = await startOperator('rbac-check', {
    // WATCH_NAMESPACE stays this suite's namespace: other suites' QueueScalers must keep a single writer
    ...operatorEnv(ns),
    KUBECONFIG: impersonatingKubeconfig(sa),
    LEASE_NAME: `${release}-queue-scaler`,
  });
  try {
    await eventually(async () => (await replicasOf(c, ns, 'booking')) === 3, 10_000, 50);
    const qs = await eventually(async () => {
      const got = await readQueueScaler(c, ns, 'booking');
      // three pods Ready (kwok): reading the Deployment's status is within the chart's RBAC too
      return got.status?.desiredReplicas === 3 && got.status.readyReplicas === 3 ? got : undefined;
    }, 10_000, 50);
    assert.is(condition(qs, 'Ready')?.status, 'True');
    await eventually(async () => (await c.events.listNamespacedEvent({ namespace: ns })).items.some((e) => e.reason === 'ScaledUp'), 5000, 50);
    const lease = await c.leases.readNamespacedLease({ namespace: ns, name: `${release}-queue-scaler` });
    assert.is(lease.spec?.holderIdentity, 'rbac-check');
    assert.not.match(operator.logs(), /forbidden/i);
  } finally {
    assert.is(await operator.stop(), 0);
    await redis.del(stats, queueKeys(performanceId).config);
  }
});

test('helm uninstall removes everything but the CRD', async () => {
  await helm('uninstall', release, '--namespace', ns);
  const uninstalled = release;
  release = '';
  const roles = await c.rbac.listClusterRole();
  assert.is(roles.items.some((r) => r.metadata?.name === `${uninstalled}-queue-scaler`), false);
  const crd = await c.crds.readCustomResourceDefinition({ name: 'queuescalers.scaling.ticketping.dev' });
  assert.ok(crd.metadata?.uid, 'Helm never deletes a CRD from crds/');
});

test.run();
