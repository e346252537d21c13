/**
 * The queue-scaler's own rate field: PUT /internal/v1/queues/{id}/operator-rate. The queue admits
 * at min(admin's admitPerMinute, operator's rate), the admin's setting is never overwritten, and
 * a rate the operator stops renewing runs out.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OperatorRateAnswer } from '@ticketping/contracts/http';
import { queueKeys, type RedisClient } from '@ticketping/redis';
import { eventually } from '@ticketping/testing';
import type { QueueService } from '../src/service.ts';
import { INTERNAL_TOKEN, startQueue, type QueueHarness } from './helpers.ts';

let harness: QueueHarness;
let redis: RedisClient;
let queue: QueueService;
let base = '';
const queues: string[] = [];
const admin = randomUUID();

test.before(async () => {
  harness = await startQueue(queues);
  ({ redis, queue, base } = harness);
});

test.after(async () => {
  await harness.close();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = { 'x-internal-token': INTERNAL_TOKEN }) {
  const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** A paused queue with `waiting` fans in line, so a tick shows the rate it admits at. */
async function queueWithLine(admitPerMinute: number, waiting: number): Promise<string> {
  const id = randomUUID();
  queues.push(id);
  await queue.store.create(id, { capacity: 1000, admitPerMinute, opensAtMs: 0, closesAtMs: 0, totalSeats: 0 });
  await queue.store.configure(id, { state: 'PAUSED' });
  // out of the shared index: no other suite's admission loop ticks it while the test counts
  await queue.store.forget(id);
  for (let i = 0; i < waiting; i++) await queue.store.entry(id, randomUUID(), 'enter');
  return id;
}

test('the operator rate lowers admission below the admin ceiling, and the ceiling is left as the admin set it', async () => {
  const id = await queueWithLine(600, 40); // ceiling 600/min = 10 per second
  const put = await call('PUT', `/internal/v1/queues/${id}/operator-rate`, { admitPerMinute: 120, ttlSeconds: 60 });
  assert.is(put.status, 200);
  const answer = OperatorRateAnswer.parse(put.body);
  assert.equal([answer.admitPerMinute, answer.operatorAdmitPerMinute, answer.effectiveAdmitPerMinute], [600, 120, 120]);
  assert.is(await redis.hget(queueKeys(id).config, 'admitPerMinute'), '600');

  await queue.store.configure(id, { state: 'OPEN' });
  const tick = await queue.store.admit(id);
  // 120/min allows 2 in the first second; the ceiling alone would have let 10 in
  assert.is(tick.admitted.length, 2);
  assert.equal([tick.admitPerMinute, tick.operatorAdmitPerMinute, tick.effectiveAdmitPerMinute], [600, 120, 120]);
  const stats = await redis.hgetall(queueKeys(id).stats);
  assert.equal([stats.admitPerMinute, stats.operatorAdmitPerMinute, stats.effectiveAdmitPerMinute], ['600', '120', '120']);
});

test('the operator never lifts admission above the admin ceiling, and an admin change survives the operator writing again', async () => {
  const id = await queueWithLine(600, 40);
  await call('PUT', `/internal/v1/queues/${id}/operator-rate`, { admitPerMinute: 3000, ttlSeconds: 60 });
  // the runbook's "lower the admission rate": the admin PATCHes 60/min
  const patched = await fetch(`${base}/api/v1/queues/${id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': admin, 'x-user-role': 'ADMIN' },
    body: JSON.stringify({ admitPerMinute: 60, state: 'OPEN' }),
  });
  assert.is(patched.status, 200);
  const again = await call('PUT', `/internal/v1/queues/${id}/operator-rate`, { admitPerMinute: 3000, ttlSeconds: 60 });
  assert.is(again.body.effectiveAdmitPerMinute, 60);
  assert.is(await redis.hget(queueKeys(id).config, 'admitPerMinute'), '60');
  const tick = await queue.store.admit(id);
  assert.is(tick.effectiveAdmitPerMinute, 60);
  const admitted = (await redis.hget(queueKeys(id).stats, 'admittedTotal')) ?? '0';
  assert.is(Number(admitted), 1, '60/min is one per second');
});

test('a rate the operator stops renewing runs out, and the admin ceiling applies again', async () => {
  const id = await queueWithLine(600, 5);
  await call('PUT', `/internal/v1/queues/${id}/operator-rate`, { admitPerMinute: 60, ttlSeconds: 1 });
  assert.is((await queue.store.admit(id)).effectiveAdmitPerMinute, 60);
  const tick = await eventually(async () => {
    const t = await queue.store.admit(id);
    return t.operatorAdmitPerMinute === 0 ? t : undefined;
  }, 5000, 100);
  assert.is(tick.effectiveAdmitPerMinute, 600);
});

test('bad input is a 400 problem, an unknown queue 404, and only an internal caller may set the rate', async () => {
  const id = await queueWithLine(600, 0);
  const bad = await call('PUT', `/internal/v1/queues/${id}/operator-rate`, { admitPerMinute: 0, ttlSeconds: 99999, extra: 1 });
  assert.is(bad.status, 400);
  assert.match(String(bad.body.detail), /body\.admitPerMinute/);
  assert.match(String(bad.body.detail), /body\.ttlSeconds/);
  const missing = await call('PUT', `/internal/v1/queues/${randomUUID()}/operator-rate`, { admitPerMinute: 10, ttlSeconds: 10 });
  assert.equal([missing.status, missing.body.code], [404, 'QUEUE_NOT_FOUND']);
  const outsider = await call('PUT', `/internal/v1/queues/${id}/operator-rate`, { admitPerMinute: 10, ttlSeconds: 10 }, {});
  assert.is(outsider.status, 401);
  assert.is(await redis.hget(queueKeys(id).config, 'operatorAdmitPerMinute'), null);
});

test.run();
