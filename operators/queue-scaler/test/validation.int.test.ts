/** The CRD's schema, defaults and CEL rules, enforced by the real API server. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { apiMessage, applyCrd, clients, createNamespace, createQueueScaler, deleteNamespace, GROUP, patchQueueScaler, PLURAL, repoRoot, VERSION } from './support.ts';

const c = clients();
let ns = '';

test.before(async () => {
  await applyCrd(c);
  ns = await createNamespace(c, 'qs-valid');
});

test.after(async () => {
  await deleteNamespace(c, ns);
});

async function rejection(spec: Record<string, unknown>): Promise<string> {
  try {
    await createQueueScaler(c, ns, `bad-${Math.random().toString(36).slice(2, 8)}`, spec);
  } catch (error) {
    return apiMessage(error);
  }
  throw new Error('the API server accepted an invalid QueueScaler');
}

const target = { scaleTargetRef: { name: 'booking' }, targetPerReplica: 10 };

test('min > max is rejected with the CEL message', async () => {
  const message = await rejection({ ...target, minReplicaCount: 5, maxReplicaCount: 2 });
  assert.match(message, 'minReplicaCount must be less than or equal to maxReplicaCount');
});

test('a min above the default max is rejected too (defaults apply before validation)', async () => {
  assert.match(await rejection({ ...target, minReplicaCount: 11 }), 'minReplicaCount must be less than or equal to maxReplicaCount');
});

test('CEL rejects unsound admission control: feedback on the active metric, zero floors, unordered bounds', async () => {
  const control = { bookingMetricsUrl: 'http://booking:9084/metrics', slo: { p95Milliseconds: 500 }, minAdmitPerMinute: 10, maxAdmitPerMinute: 100 };
  assert.match(await rejection({ ...target, source: { metric: 'active' }, admissionControl: control }), 'scaling on `active` closes an unstable loop');
  assert.match(await rejection({ ...target, minReplicaCount: 0, admissionControl: control }), 'a zero floor deadlocks the loop at zero');
  assert.match(await rejection({ ...target, admissionControl: { ...control, minAdmitPerMinute: 0 } }), 'admissionControl.minAdmitPerMinute');
  assert.match(await rejection({ ...target, admissionControl: { ...control, minAdmitPerMinute: 500 } }), 'minAdmitPerMinute must be less than or equal to maxAdmitPerMinute');
  assert.match(await rejection({ ...target, admissionControl: { ...control, decreasePercent: 100 } }), 'decreasePercent');
  // booking's signal comes from exactly one place: every Ready pod, or one URL
  const { bookingMetricsUrl: _url, ...noSource } = control;
  assert.match(await rejection({ ...target, admissionControl: noSource }), 'set exactly one of bookingPods');
  assert.match(await rejection({ ...target, admissionControl: { ...control, bookingPods: {} } }), 'set exactly one of bookingPods');
  const pods = await createQueueScaler(c, ns, 'pods', { ...target, admissionControl: { ...noSource, bookingPods: { selector: { matchLabels: { app: 'booking' } } } } });
  assert.equal((pods.spec.admissionControl as Record<string, unknown>).bookingPods, { selector: { matchLabels: { app: 'booking' } }, port: 'management', path: '/metrics' });
  // scaling on active without admission control is fine, as is a sound combination
  await createQueueScaler(c, ns, 'active-alone', { ...target, source: { metric: 'active' } });
  const sound = await createQueueScaler(c, ns, 'sound', { ...target, admissionControl: control });
  assert.equal((sound.spec.admissionControl as Record<string, unknown>).decreasePercent, 30, 'defaults filled in');
});

test('pods and route belong to requestRate; a requestRate source gets its pods\' defaults', async () => {
  assert.match(await rejection({ ...target, source: { metric: 'backlog', route: '/api/v1/queues' } }), 'pods and route belong to metric requestRate');
  assert.match(await rejection({ ...target, source: { metric: 'waiting', pods: { port: 'management' } } }), 'pods and route belong to metric requestRate');
  assert.match(await rejection({ ...target, source: { metric: 'requestRate', route: 'no-slash' } }), 'source.route');
  const rate = await createQueueScaler(c, ns, 'rate', { ...target, source: { metric: 'requestRate', route: '/api/v1/queues/:performanceId/entries/me', pods: {} } });
  assert.equal((rate.spec.source as Record<string, unknown>).pods, { port: 'management', path: '/metrics' });
});

test('the structural schema rejects bad values', async () => {
  assert.match(await rejection({ ...target, targetPerReplica: 0 }), 'targetPerReplica');
  assert.match(await rejection({ ...target, source: { metric: 'depth' } }), 'Unsupported value: "depth"');
  assert.match(await rejection({ ...target, fallback: { failureThreshold: 3, replicas: 0 } }), 'fallback.replicas');
  assert.match(await rejection({ scaleTargetRef: { name: 'booking', kind: 'StatefulSet' }, targetPerReplica: 1 }), 'Unsupported value: "StatefulSet"');
});

test('defaults are filled in by the API server', async () => {
  const created = await createQueueScaler(c, ns, 'defaults', target);
  assert.equal(created.spec, {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'booking' },
    source: { metric: 'backlog' },
    targetPerReplica: 10,
    activationThreshold: 0,
    minReplicaCount: 1,
    maxReplicaCount: 10,
    pollingIntervalSeconds: 10,
    cooldownPeriodSeconds: 300,
    paused: false,
  });
});

test('scaleTargetRef is immutable; other fields are not', async () => {
  await createQueueScaler(c, ns, 'immutable', target);
  try {
    await patchQueueScaler(c, ns, 'immutable', { scaleTargetRef: { name: 'queue' } });
    assert.unreachable('the target changed');
  } catch (error) {
    assert.match(apiMessage(error), 'scaleTargetRef is immutable');
  }
  const patched = await patchQueueScaler(c, ns, 'immutable', { maxReplicaCount: 20 });
  assert.is(patched.spec.maxReplicaCount, 20);
  assert.is(patched.metadata.generation, 2);
});

test('the example manifest is valid (server-side dry run)', async () => {
  const example = parse(readFileSync(path.join(repoRoot, 'manifests/examples/queuescaler.yaml'), 'utf8')) as { metadata: { name: string }; spec: object };
  const created = await c.custom.createNamespacedCustomObject({
    group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, dryRun: 'All',
    body: { ...example, metadata: { ...example.metadata, namespace: ns } },
  }) as { spec: { admissionControl?: object } };
  assert.ok(created.spec.admissionControl, 'the example shows admission control');
});

test.run();
