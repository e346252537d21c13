import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, StorageV1Api, VersionApi, setHeaderOptions } from '@kubernetes/client-node';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';

const kc = new KubeConfig();
kc.loadFromFile(testEnv.kubeconfig);
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);
const namespace = randomPrefix('ns').replace('_', '-');

test.after(async () => {
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
});

test('the API server reports the Kubernetes version it was built from (charts check it against their kubeVersion)', async () => {
  const version = await kc.makeApiClient(VersionApi).getCode();
  assert.match(version.gitVersion, /^v1\.\d+\.\d+$/);
  assert.is(`v${version.major}.${version.minor}`, version.gitVersion.replace(/\.\d+$/, ''));
});

test('a Deployment gets its ReplicaSet from the controller-manager and scales through the scale subresource', async () => {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'ticketping/web:1' }] } },
      },
    },
  });
  const replicaSet = await eventually(async () => (await apps.listNamespacedReplicaSet({ namespace })).items[0], 30_000, 200);
  assert.equal(replicaSet.metadata?.ownerReferences?.map((o) => [o.kind, o.name]), [['Deployment', 'web']]);

  await apps.patchNamespacedDeploymentScale(
    { namespace, name: 'web', body: { spec: { replicas: 3 } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  assert.is((await apps.readNamespacedDeploymentScale({ namespace, name: 'web' })).spec?.replicas, 3);
  await eventually(async () => (await apps.listNamespacedReplicaSet({ namespace })).items[0]?.spec?.replicas === 3, 30_000, 200);
});

test('a Pod of a Deployment is scheduled onto a kwok Node and becomes Ready without anyone patching it', async () => {
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: 'api' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'api' } },
        template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'ticketping/api:1' }] } },
      },
    },
  });
  const deployment = await eventually(async () => {
    const d = await apps.readNamespacedDeployment({ namespace, name: 'api' });
    return d.status?.readyReplicas === 3 && d.status.availableReplicas === 3 ? d : undefined;
  }, 30_000, 200);
  assert.is(deployment.status?.updatedReplicas, 3);
  const pods = (await core.listNamespacedPod({ namespace, labelSelector: 'app=api' })).items;
  assert.is(pods.length, 3);
  for (const pod of pods) {
    assert.match(pod.spec?.nodeName ?? '', /^kwok-node-/);
    assert.is(pod.status?.phase, 'Running');
    assert.ok(pod.status?.podIP, 'kwok gives each pod an IP');
  }

  // Scaling down deletes pods gracefully; kwok stands in for the kubelet that would confirm it.
  await apps.patchNamespacedDeploymentScale(
    { namespace, name: 'api', body: { spec: { replicas: 1 } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  await eventually(async () => (await core.listNamespacedPod({ namespace, labelSelector: 'app=api' })).items.length === 1, 30_000, 200);
});

test('a StatefulSet makes its pods; their claims bind to the PersistentVolumes given and the pods become Ready', async () => {
  const storageClass = `${namespace}-local`;
  await kc.makeApiClient(StorageV1Api).createStorageClass({ body: {
    metadata: { name: storageClass }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'Immediate' } });
  for (const i of [0, 1]) {
    await core.createPersistentVolume({ body: {
      metadata: { name: `${namespace}-pv-${i}` },
      spec: { storageClassName: storageClass, capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/${namespace}-${i}` } },
    } });
  }
  try {
    await apps.createNamespacedStatefulSet({
      namespace,
      body: {
        metadata: { name: 'store' },
        spec: {
          replicas: 2, serviceName: 'store',
          selector: { matchLabels: { app: 'store' } },
          template: { metadata: { labels: { app: 'store' } }, spec: { containers: [{ name: 'store', image: 'ticketping/store:1' }] } },
          volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { storageClassName: storageClass, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
        },
      },
    });
    await eventually(async () => (await apps.readNamespacedStatefulSet({ namespace, name: 'store' })).status?.readyReplicas === 2, 60_000, 250);
    const claims = (await core.listNamespacedPersistentVolumeClaim({ namespace })).items;
    assert.equal(claims.map((c) => [c.metadata?.name, c.status?.phase]).sort(), [['data-store-0', 'Bound'], ['data-store-1', 'Bound']]);
  } finally {
    await apps.deleteNamespacedStatefulSet({ namespace, name: 'store' }).catch(() => undefined);
    for (const i of [0, 1]) await core.deletePersistentVolume({ name: `${namespace}-pv-${i}` }).catch(() => undefined);
    await kc.makeApiClient(StorageV1Api).deleteStorageClass({ name: storageClass }).catch(() => undefined);
  }
});

test.run();
