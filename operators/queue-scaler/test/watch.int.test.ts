/**
 * The QueueScaler watch restarts itself after an error the client does not retry: it starts as a
 * ServiceAccount that may not list QueueScalers (403), keeps retrying with backoff, and catches up
 * on its own once a Role allows it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '@ticketping/logger';
import { eventually } from '@ticketping/testing';
import { createKube, loadKubeConfig, type QueueScalerWatch } from '../src/kube.ts';
import type { QueueScaler } from '../src/types.ts';
import { applyCrd, clients, createNamespace, createQueueScaler, deleteNamespace, impersonatingKubeconfig } from './support.ts';

const c = clients();
const logger = createLogger({ service: 'queue-scaler-test', level: 'silent' });
let ns = '';
let watch: QueueScalerWatch | undefined;

test.before(async () => {
  await applyCrd(c);
  ns = await createNamespace(c, 'qs-watch');
  await createQueueScaler(c, ns, 'booking', { scaleTargetRef: { name: 'booking' }, targetPerReplica: 10 });
});

test.after(async () => {
  await watch?.stop();
  await deleteNamespace(c, ns);
});

test('a forbidden watch retries until it is allowed, then delivers the objects', async () => {
  const user = `system:serviceaccount:${ns}:watcher`;
  const seen: string[] = [];
  const kube = createKube(loadKubeConfig(impersonatingKubeconfig(user)), logger);
  watch = kube.watchQueueScalers(ns, {
    onUpsert: (qs: QueueScaler) => seen.push(qs.metadata?.name ?? ''),
    onDelete: () => undefined,
  });
  // refused: nothing arrives and the watch is not synced (so /readyz would say not ready)
  await new Promise((resolve) => setTimeout(resolve, 1200));
  assert.is(watch.synced(), false);
  assert.equal(seen, []);

  await c.rbac.createNamespacedRole({ namespace: ns, body: {
    metadata: { name: 'watch-qs' },
    rules: [{ apiGroups: ['scaling.ticketping.dev'], resources: ['queuescalers'], verbs: ['list', 'watch'] }],
  } });
  await c.rbac.createNamespacedRoleBinding({ namespace: ns, body: {
    metadata: { name: 'watch-qs' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'watch-qs' },
    subjects: [{ kind: 'ServiceAccount', name: 'watcher', namespace: ns }],
  } });
  await eventually(() => watch?.synced() && seen.includes('booking'), 15_000, 50);

  // and it keeps watching: a new object arrives as an event
  await createQueueScaler(c, ns, 'queue', { scaleTargetRef: { name: 'queue' }, targetPerReplica: 10 });
  await eventually(() => seen.includes('queue'), 5000, 50);
  assert.ok(watch.get(ns, 'queue'));
});

test.run();
