import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';

const kc = new KubeConfig();
kc.loadFromFile(testEnv.kubeconfig);
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);
const namespace = randomPrefix('ns').replace('_', '-');

test.after(async () => {
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
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

test.run();
