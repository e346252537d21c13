/**
 * The chart against the test environment's real kube-apiserver (+ controller-manager): every object
 * of every value set passes the server's strict validation, a real `helm install` creates what was
 * rendered (QueueScalers accepted by the CRD's schema and CEL rules), `helm upgrade` keeps the
 * operator's replica counts and the generated secrets, and `helm uninstall` leaves nothing behind.
 *
 * Pods are scheduled and reported Ready by the test cluster's kwok Nodes, but no container runs:
 * installs use --no-hooks (the migrations Job does nothing here) and the hook objects are validated
 * by a server-side dry run instead.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'uvu';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import { chartDir, helmBinary, mustRun, parseObjects, render, repoRoot, run, type K8sObject, type RenderOptions } from './chart.ts';

const namespace = randomPrefix('tp-chart').replace(/_/g, '-');
const release = 'tp';
const fullname = 'tp-ticketping';
const crdDir = path.join(repoRoot, 'charts/queue-scaler/crds');
/** Kinds whose CRDs (Strimzi, CloudNativePG) this API server does not have. */
const OPERATOR_KINDS = new Set(['Kafka', 'KafkaNodePool', 'KafkaTopic', 'Cluster']);
let installed = false;

const env = () => ({ KUBECONFIG: testEnv.kubeconfig });
const kubectl = (args: string[], input?: string) => mustRun('kubectl', args, { env: env(), ...(input === undefined ? {} : { input }) });
const helm = (...args: string[]) => mustRun(helmBinary, args, { env: env() });
const getJson = async <T>(...args: string[]) => JSON.parse(await kubectl(['get', ...args, '-n', namespace, '-o', 'json'])) as T;
/** One JSON List: JSON keeps strings such as "yes" strings, where YAML 1.1 readers would see booleans. */
const asList = (objects: K8sObject[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects });

/** `Kind.group` as kubectl takes it (core kinds have no group). */
function resourceOf(object: K8sObject): string {
  const [group, version] = object.apiVersion.split('/');
  return version ? `${object.kind}.${group}` : object.kind;
}

/** The server's verdict on objects, persisting nothing. */
function dryRun(objects: K8sObject[]) {
  return run('kubectl', ['create', '--dry-run=server', '--validate=strict', '-n', namespace, '-f', '-'], { env: env(), input: asList(objects) });
}

test.before(async () => {
  await kubectl(['create', 'namespace', namespace]);
  // The CRD comes with the operator's chart; another suite may be applying it at the same moment.
  await eventually(() => kubectl(['apply', '--server-side', '--force-conflicts', '-f', crdDir]), 30_000, 500);
  await kubectl(['wait', '--for=condition=Established', 'crd/queuescalers.scaling.ticketping.dev', '--timeout=60s']);
});

test.after(async () => {
  if (installed) await run(helmBinary, ['uninstall', release, '-n', namespace], { env: env() });
  await run('kubectl', ['delete', 'namespace', namespace, '--wait=false'], { env: env() });
});

test('every object of every value set passes the API server\'s strict validation', async () => {
  const sets: Record<string, RenderOptions> = {
    defaults: {},
    'external dependencies': { set: {
      'redis.mode': 'external', 'redis.external.existingSecret': 'redis-credentials',
      'kafka.mode': 'external', 'kafka.external.brokers': ['kafka.example:9092'],
      'postgres.mode': 'external', 'postgres.external.url': 'postgres://app:pw@pg.example:5432/tickets' } },
    'operator off': { set: { 'queueScaler.enabled': false } },
    'existing secret, TLS ingress, no network policies': { set: { 'secrets.existingSecret': 'app-secrets', 'ingress.tls': true, 'networkPolicy.enabled': false } },
    'dev values': { valuesFiles: ['values-dev.yaml'] },
    'production values': { valuesFiles: ['values-production.yaml'] },
    'three plain Kafka brokers': { set: { 'kafka.replicas': 3, 'kafka.replicationFactor': 3, 'kafka.minInsyncReplicas': 2 } },
  };
  for (const [name, options] of Object.entries(sets)) {
    const objects = (await render({ ...options, namespace })).filter((o) => !OPERATOR_KINDS.has(o.kind));
    const verdict = await dryRun(objects);
    assert.equal(verdict.code, 0, `${name}: ${verdict.stderr}`);
    assert.equal(verdict.stdout.trim().split('\n').length, objects.length, `${name}: every object was checked`);
  }
});

test('a QueueScaler breaking the CRD\'s rules is refused by the API server', async () => {
  const objects = await render({ namespace, set: { 'queueScaler.queue.minReplicaCount': 5, 'queueScaler.queue.maxReplicaCount': 2 } });
  const verdict = await dryRun(objects.filter((o) => o.kind === 'QueueScaler'));
  assert.notEqual(verdict.code, 0);
  assert.match(verdict.stderr, /minReplicaCount must be less than or equal to maxReplicaCount/);
});

test('helm install creates every rendered object; QueueScalers are accepted; Deployments get ReplicaSets', async () => {
  await helm('install', release, chartDir, '-n', namespace, '--no-hooks');
  installed = true;
  const manifest = parseObjects(await helm('get', 'manifest', release, '-n', namespace));
  assert.ok(manifest.length > 40);
  for (const object of manifest) {
    const live = await getJson<K8sObject>(resourceOf(object), object.metadata.name);
    assert.equal(live.metadata.name, object.metadata.name);
    if (object.kind === 'QueueScaler') assert.deepEqual(live.spec, object.spec, `${object.metadata.name}: the server kept the spec as rendered`);
  }
  const scalers = await getJson<{ items: K8sObject[] }>('queuescalers');
  assert.deepEqual(scalers.items.map((s) => s.spec.scaleTargetRef.name).sort(), [`${fullname}-booking`, `${fullname}-gateway`, `${fullname}-queue`]);

  // The hooks (the migrations Job) were not run, but the server accepts them too.
  const hooks = parseObjects(await helm('get', 'hooks', release, '-n', namespace));
  assert.deepEqual(hooks.map((h) => `${h.kind}/${h.metadata.name}`), [`Job/${fullname}-migrations`]);
  const verdict = await dryRun(hooks);
  assert.equal(verdict.code, 0, verdict.stderr);

  // The controller-manager turns each Deployment into a ReplicaSet: selectors and templates are sound.
  await eventually(async () => {
    const sets = await getJson<{ items: { metadata: { ownerReferences?: { name: string }[] } }[] }>('replicasets');
    const owners = new Set(sets.items.flatMap((s) => s.metadata.ownerReferences ?? []).map((o) => o.name));
    return ['gateway', 'auth', 'catalog', 'queue', 'booking', 'payment', 'tickets'].every((s) => owners.has(`${fullname}-${s}`));
  }, 30_000, 250);
});

test('helm upgrade keeps the replicas the operator set and the secrets generated at install', async () => {
  // What the operator does: write replicas through the scale subresource.
  await kubectl(['scale', `deployment/${fullname}-queue`, '--replicas=4', '-n', namespace]);
  await kubectl(['scale', `deployment/${fullname}-booking`, '--replicas=3', '-n', namespace]);
  const secretBefore = (await getJson<K8sObject>('secret', `${fullname}-secrets`)).data;
  const gatewayBefore = await getJson<K8sObject>('deployment', `${fullname}-gateway`);

  await helm('upgrade', release, chartDir, '-n', namespace, '--no-hooks', '--set', 'config.logLevel=debug');

  assert.equal((await getJson<K8sObject>('deployment', `${fullname}-queue`)).spec.replicas, 4);
  assert.equal((await getJson<K8sObject>('deployment', `${fullname}-booking`)).spec.replicas, 3);
  const gatewayAfter = await getJson<K8sObject>('deployment', `${fullname}-gateway`);
  assert.notEqual(gatewayAfter.spec.template.metadata.annotations['checksum/config'], gatewayBefore.spec.template.metadata.annotations['checksum/config'],
    'the upgrade did change the pod templates');
  assert.deepEqual((await getJson<K8sObject>('secret', `${fullname}-secrets`)).data, secretBefore, 'tokens, keys and passwords survive the upgrade');
});

test('helm uninstall leaves nothing behind in the namespace', async () => {
  await helm('uninstall', release, '-n', namespace, '--wait');
  installed = false;
  const kinds = (await kubectl(['api-resources', '--verbs=list', '--namespaced', '-o', 'name']))
    .split('\n').map((k) => k.trim()).filter((k) => k && k !== 'events' && k !== 'events.events.k8s.io');
  const left = await eventually(async () => {
    const names = (await kubectl(['get', kinds.join(','), '-n', namespace, '-o', 'name', '--ignore-not-found'])).trim();
    return names === '' ? 'nothing' : undefined;
  }, 60_000, 500);
  assert.equal(left, 'nothing');
});

test.run();
