/**
 * The chart against the test environment's real kube-apiserver (controller-manager, scheduler, kwok):
 * every object of every value set passes the server's strict validation, and then, once with helm 3
 * and once with helm 4 (one suite, run with each binary):
 * - `helm install --wait` passes the chart's kubeVersion check against the server's real version,
 *   creates what was rendered, and returns once every Deployment and StatefulSet is Ready (the
 *   migrations run in init containers, so nothing waits on a hook that --wait holds back);
 * - `helm upgrade --wait` with a changed application value keeps the operator's replica counts and
 *   the generated secrets, rolls the services, and leaves the data StatefulSets' pods alone;
 * - `helm uninstall` leaves nothing behind but the data volumes' claims, kept on purpose.
 *
 * Pods are scheduled onto kwok Nodes, which report them Ready (and init containers done) without
 * running a container. StatefulSet claims bind to PersistentVolumes this suite makes.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { suite } from 'uvu';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import { chartDir, helm4Binary, helmBinary, mustRun, parseObjects, render, repoRoot, run, type K8sObject, type RenderOptions } from './chart.ts';

const release = 'tp';
const fullname = 'tp-ticketping';
const crdDir = path.join(repoRoot, 'charts/queue-scaler/crds');
/** Kinds whose CRDs (Strimzi, CloudNativePG) this API server does not have. */
const OPERATOR_KINDS = new Set(['Kafka', 'KafkaNodePool', 'KafkaTopic', 'Cluster']);
const DATA_STORES = ['redis', 'postgres', 'kafka'].map((store) => `${fullname}-${store}`);

const env = () => ({ KUBECONFIG: testEnv.kubeconfig });
const kubectl = (args: string[], input?: string) => mustRun('kubectl', args, { env: env(), ...(input === undefined ? {} : { input }) });
/** One JSON List: JSON keeps strings such as "yes" strings, where YAML 1.1 readers would see booleans. */
const asList = (objects: K8sObject[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects });
const namespaceFor = (name: string) => randomPrefix(name).replace(/_/g, '-').toLowerCase();

/** `Kind.group` as kubectl takes it (core kinds have no group). */
function resourceOf(object: K8sObject): string {
  const [group, version] = object.apiVersion.split('/');
  return version ? `${object.kind}.${group}` : object.kind;
}

/**
 * A test environment started before its binaries were stamped (and before it ran the StatefulSet
 * controller) would fail helm's kubeVersion check, and --wait would wait on StatefulSets for ever.
 */
async function checkServerVersion() {
  const server = (JSON.parse(await kubectl(['get', '--raw', '/version'])) as { gitVersion: string }).gitVersion;
  if (server.startsWith('v0.0.0')) throw new Error(`the test API server reports ${server}: restart the test environment (npm run testenv) to get the stamped control plane`);
}

async function applyCrd() {
  // The CRD comes with the operator's chart; another suite may be applying it at the same moment.
  await eventually(() => kubectl(['apply', '--server-side', '--force-conflicts', '-f', crdDir]), 30_000, 500);
  await kubectl(['wait', '--for=condition=Established', 'crd/queuescalers.scaling.ticketping.dev', '--timeout=60s']);
}

// --- What the API server says of the rendered objects (helm-independent) ---

const validation = suite('server validation');
const validationNamespace = namespaceFor('tp-chart');

/** The server's verdict on objects, persisting nothing. */
function dryRun(objects: K8sObject[]) {
  return run('kubectl', ['create', '--dry-run=server', '--validate=strict', '-n', validationNamespace, '-f', '-'], { env: env(), input: asList(objects) });
}

validation.before(async () => {
  await kubectl(['create', 'namespace', validationNamespace]);
  await applyCrd();
});

validation.after(async () => {
  await run('kubectl', ['delete', 'namespace', validationNamespace, '--wait=false'], { env: env() });
});

validation('every object of every value set passes the API server\'s strict validation', async () => {
  const sets: Record<string, RenderOptions> = {
    defaults: {},
    'external dependencies': { set: {
      'redis.mode': 'external', 'redis.external.existingSecret': 'redis-credentials',
      'kafka.mode': 'external', 'kafka.external.brokers': ['kafka.example:9092'],
      'postgres.mode': 'external', 'postgres.external.url': 'postgres://app:pw@pg.example:5432/tickets' } },
    'operator off': { set: { 'queueScaler.enabled': false } },
    'existing secret, TLS ingress, no network policies': { set: { 'secrets.existingSecret': 'app-secrets', 'ingress.tls': true, 'networkPolicy.enabled': false } },
    'gitops: every secret from existing Secrets': { set: { gitops: true, 'secrets.existingSecret': 'app-secrets', 'postgres.statefulset.existingSecret': 'pg-owner' } },
    'dev values': { valuesFiles: ['values-dev.yaml'] },
    'production values': { valuesFiles: ['values-production.yaml'] },
    'three plain Kafka brokers': { set: { 'kafka.replicas': 3, 'kafka.replicationFactor': 3, 'kafka.minInsyncReplicas': 2 } },
    'one hop for status polls': { set: { 'ingress.statusPollsToQueue.enabled': true, 'queueScaler.queue.countRequestsAt': 'queue' } },
  };
  for (const [name, options] of Object.entries(sets)) {
    const objects = (await render({ ...options, namespace: validationNamespace })).filter((o) => !OPERATOR_KINDS.has(o.kind));
    const verdict = await dryRun(objects);
    assert.equal(verdict.code, 0, `${name}: ${verdict.stderr}`);
    assert.equal(verdict.stdout.trim().split('\n').length, objects.length, `${name}: every object was checked`);
  }
});

validation('a QueueScaler breaking the CRD\'s rules is refused by the API server', async () => {
  const objects = await render({ namespace: validationNamespace, set: { 'queueScaler.queue.minReplicaCount': 5, 'queueScaler.queue.maxReplicaCount': 2 } });
  const verdict = await dryRun(objects.filter((o) => o.kind === 'QueueScaler'));
  assert.notEqual(verdict.code, 0);
  assert.match(verdict.stderr, /minReplicaCount must be less than or equal to maxReplicaCount/);
});

validation.run();

// --- Install, upgrade and uninstall, with each helm ---

interface Status { readyReplicas?: number; replicas?: number; currentRevision?: string; updateRevision?: string }
interface Pod { metadata: { name: string; uid: string; labels: Record<string, string> }; status: { conditions?: { type: string; status: string }[] } }

function lifecycle(helmName: string, binary: string) {
  const test = suite(`${helmName}: install, upgrade, uninstall`);
  const namespace = namespaceFor(`tp-${helmName.replace(/\W/g, '')}`);
  const storageClass = `${namespace}-data`;
  const volumes = DATA_STORES.map((store) => `${namespace}-${store.replace(`${fullname}-`, '')}`);
  let installed = false;

  const helm = (...args: string[]) => mustRun(binary, args, { env: env() });
  const getJson = async <T>(...args: string[]) => JSON.parse(await kubectl(['get', ...args, '-n', namespace, '-o', 'json'])) as T;
  const storageValues = ['redis.statefulset.persistence.storageClass', 'postgres.persistence.storageClass', 'kafka.persistence.storageClass']
    .flatMap((key) => ['--set', `${key}=${storageClass}`]);
  const statusOf = async (kind: string, name: string) => (await getJson<{ status: Status; spec: { replicas?: number } }>(kind, name));

  test.before(async () => {
    await kubectl(['create', 'namespace', namespace]);
    await applyCrd();
    // No provisioner in the test cluster: one volume per data store, bound by class.
    const objects = [
      { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: storageClass }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'Immediate' },
      ...volumes.map((name) => ({
        apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name },
        spec: { storageClassName: storageClass, capacity: { storage: '100Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/${name}` } },
      })),
    ];
    await kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  });

  test.after(async () => {
    if (installed) await run(binary, ['uninstall', release, '-n', namespace], { env: env() });
    await run('kubectl', ['delete', 'namespace', namespace, '--wait=false'], { env: env() });
    await run('kubectl', ['delete', 'persistentvolume', ...volumes, '--wait=false'], { env: env() });
    await run('kubectl', ['delete', 'storageclass', storageClass], { env: env() });
  });

  test('helm install --wait passes the kubeVersion check, creates every rendered object and returns with every workload Ready', async () => {
    await checkServerVersion();
    await helm('install', release, chartDir, '-n', namespace, '--wait', '--timeout', '10m', ...storageValues);
    installed = true;
    // No polling here: --wait has already waited for all of it. A Deployment's Ready is counted
    // on its pods: helm 3 waits on the newest ReplicaSet's ready pods, and the Deployment's own
    // status.readyReplicas follows them only at its controller's next sync.
    for (const service of ['gateway', 'auth', 'catalog', 'queue', 'booking', 'payment', 'tickets']) {
      const { spec } = await statusOf('deployment', `${fullname}-${service}`);
      const pods = (await getJson<{ items: Pod[] }>('pods', '-l', `app.kubernetes.io/component=${service}`)).items;
      const ready = pods.filter((p) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      assert.equal(ready.length, spec.replicas, `${service} is Ready`);
    }
    for (const store of DATA_STORES) {
      const { status, spec } = await statusOf('statefulset', store);
      assert.equal(status.readyReplicas, spec.replicas, `${store} is Ready`);
    }
    const claims = await getJson<{ items: { status: { phase: string } }[] }>('persistentvolumeclaims');
    assert.deepEqual(claims.items.map((c) => c.status.phase), ['Bound', 'Bound', 'Bound']);

    const manifest = parseObjects(await helm('get', 'manifest', release, '-n', namespace));
    assert.ok(manifest.length > 40);
    for (const object of manifest) {
      const live = await getJson<K8sObject>(resourceOf(object), object.metadata.name);
      assert.equal(live.metadata.name, object.metadata.name);
      if (object.kind === 'QueueScaler') assert.deepEqual(live.spec, object.spec, `${object.metadata.name}: the server kept the spec as rendered`);
    }
    const scalers = await getJson<{ items: K8sObject[] }>('queuescalers');
    assert.deepEqual(scalers.items.map((s) => s.spec.scaleTargetRef.name).sort(), [`${fullname}-booking`, `${fullname}-gateway`, `${fullname}-queue`]);
    // The migrations are no hook: nothing runs outside what --wait watches.
    assert.deepEqual(parseObjects(await helm('get', 'hooks', release, '-n', namespace)), []);
    const booking = await getJson<{ items: { spec: { initContainers?: { name: string }[] } }[] }>('pods', '-l', 'app.kubernetes.io/component=booking');
    assert.deepEqual(booking.items[0]?.spec.initContainers?.map((c) => c.name), ['wait-for-postgres', 'migrate']);
  });

  test('helm upgrade --wait with a changed app value keeps operator replicas and secrets, and does not restart the data stores', async () => {
    // What the operator does: write replicas through the scale subresource.
    await kubectl(['scale', `deployment/${fullname}-queue`, '--replicas=4', '-n', namespace]);
    await kubectl(['scale', `deployment/${fullname}-booking`, '--replicas=3', '-n', namespace]);
    const secretBefore = (await getJson<K8sObject>('secret', `${fullname}-secrets`)).data;
    const gatewayBefore = await getJson<K8sObject>('deployment', `${fullname}-gateway`);
    const storesBefore = await Promise.all(DATA_STORES.map((store) => statusOf('statefulset', store)));
    const storePods = async () => (await getJson<{ items: Pod[] }>('pods', '-l', 'app.kubernetes.io/component in (redis,postgres,kafka)')).items
      .map((p) => `${p.metadata.name} ${p.metadata.uid} ${p.metadata.labels['controller-revision-hash']}`).sort();
    const podsBefore = await storePods();
    assert.equal(podsBefore.length, 3);

    await helm('upgrade', release, chartDir, '-n', namespace, '--wait', '--timeout', '10m', ...storageValues, '--set', 'config.logLevel=debug');

    assert.equal((await getJson<K8sObject>('deployment', `${fullname}-queue`)).spec.replicas, 4);
    assert.equal((await getJson<K8sObject>('deployment', `${fullname}-booking`)).spec.replicas, 3);
    const gatewayAfter = await getJson<K8sObject>('deployment', `${fullname}-gateway`);
    assert.notEqual(gatewayAfter.spec.template.metadata.annotations['checksum/config'], gatewayBefore.spec.template.metadata.annotations['checksum/config'],
      'the upgrade did change the services\' pod templates');
    assert.deepEqual((await getJson<K8sObject>('secret', `${fullname}-secrets`)).data, secretBefore, 'tokens, keys and passwords survive the upgrade');
    for (const [index, store] of DATA_STORES.entries()) {
      const after = await statusOf('statefulset', store);
      assert.equal(after.status.updateRevision, storesBefore[index]?.status.updateRevision, `${store}: same pod template revision`);
      assert.equal(after.status.currentRevision, after.status.updateRevision, `${store}: nothing to roll`);
    }
    assert.deepEqual(await storePods(), podsBefore, 'the same Redis, Postgres and Kafka pods, never restarted');
  });

  test('helm uninstall leaves nothing behind but the data volumes\' claims', async () => {
    await helm('uninstall', release, '-n', namespace, '--wait');
    installed = false;
    const kinds = (await kubectl(['api-resources', '--verbs=list', '--namespaced', '-o', 'name']))
      .split('\n').map((k) => k.trim()).filter((k) => k && k !== 'events' && k !== 'events.events.k8s.io');
    const left = await eventually(async () => {
      const names = (await kubectl(['get', kinds.join(','), '-n', namespace, '-o', 'name', '--ignore-not-found'])).trim().split('\n').filter(Boolean);
      return names.every((name) => name.startsWith('persistentvolumeclaim/')) ? names : undefined;
    }, 60_000, 500);
    // StatefulSets keep their claims when deleted, so an uninstall never deletes the data.
    assert.deepEqual(left.sort(), DATA_STORES.map((store) => `persistentvolumeclaim/data-${store}-0`).sort());
  });

  test.run();
}

lifecycle('helm 3', helmBinary);
lifecycle('helm 4', helm4Binary);
