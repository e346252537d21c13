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

test.run();
