import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listen } from '@ticketping/http';
import { createMetrics } from '@ticketping/metrics';
import { createRedis, type RedisClient } from '@ticketping/redis';
import { entryBody, expectContractAt, type ProofOfWorkChallenge } from '@ticketping/testing';
import { createService, type QueueService } from '../src/service.ts';
import { createQueueTimeline, timelineKey } from '../src/timeline/queue-timeline.ts';
import { INTERNAL_TOKEN, quietLogger, startQueue, testConfig, type QueueHarness } from './helpers.ts';

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
  if (queues.length) await redis.del(...queues.map(timelineKey));
  await harness.close();
});

type Body = Record<string, unknown>;
async function call(method: string, path: string, options: { user?: string; role?: 'ADMIN'; body?: unknown } = {}): Promise<{ status: number; headers: Headers; body: Body }> {
  // entering solves the proof-of-work first, as every client does
  if (method === 'POST' && path.endsWith('/entries') && options.user && options.body === undefined) {
    const challenge = await call('POST', path.replace(/entries$/, 'challenge'), { user: options.user });
    if (challenge.status === 200) options = { ...options, body: entryBody(challenge.body as unknown as ProofOfWorkChallenge) };
  }
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN };
  if (options.user) headers['x-user-id'] = options.user;
  if (options.role) headers['x-user-role'] = options.role;
  const res = await fetch(`${base}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
  const body = (await res.json()) as Body;
  expectContractAt(method, path, res.status, body);
  return { status: res.status, headers: res.headers, body };
}

async function newQueue(capacity: number): Promise<string> {
  const id = randomUUID();
  queues.push(id);
  assert.is((await call('PUT', `/internal/v1/queues/${id}`, { body: { capacity, admitPerMinute: 600 } })).status, 201);
  return id;
}

// Minutes well in the past: no other replica on the shared Redis samples those, so the claim is ours.
const pastMinute = (minutesAgo: number) => (Math.floor(Date.now() / 60_000) - minutesAgo) * 60_000 + 5_000;

test('an organiser opening the page mid-sale gets the waiting fans and admissions of the minutes before', async () => {
  const id = await newQueue(1);
  for (const fan of [randomUUID(), randomUUID(), randomUUID()]) assert.is((await call('POST', `/api/v1/queues/${id}/entries`, { user: fan })).status, 200);
  // only this queue: other suites' queues on the shared Redis are not this test's to sample
  const timeline = createQueueTimeline({ redis, store: { describe: queue.store.describe, listQueues: async () => [id] } });
  const first = pastMinute(10 + Math.floor(Math.random() * 100));
  assert.is(await timeline.sampleMinute(first), 1);

  // the organiser lets everyone in: two more admissions in the next minute
  assert.is((await call('PATCH', `/api/v1/queues/${id}`, { user: admin, role: 'ADMIN', body: { capacity: 3 } })).status, 200);
  assert.is(await timeline.sampleMinute(first + 60_000), 1);

  const res = await call('GET', `/api/v1/queues/${id}/timeline?minutes=240`, { user: admin, role: 'ADMIN' });
  assert.is(res.status, 200);
  assert.is(res.headers.get('cache-control'), 'no-store');
  const minute = (ms: number) => new Date(Math.floor(ms / 60_000) * 60_000).toISOString();
  assert.equal(res.body.samples, [
    { minute: minute(first), waiting: 2, admitted: 0 },
    { minute: minute(first + 60_000), waiting: 0, admitted: 2 },
  ]);

  // a window that starts after the first sample still counts the second one's admissions against it:
  // `minutes` back from the server's now lands inside the first sample's minute (samples are keyed by
  // their minute's start), whatever second of the current minute it is, unless the minute turns
  // between here and the server or it is the minute's very first moment, which the wait rules out
  const intoMinute = Date.now() % 60_000;
  if (intoMinute < 1_000 || intoMinute > 58_000) await new Promise((resolve) => setTimeout(resolve, (61_100 - intoMinute) % 60_000));
  const minutesBack = Math.floor(Date.now() / 60_000) - Math.floor(first / 60_000);
  const recent = await call('GET', `/api/v1/queues/${id}/timeline?minutes=${minutesBack}`, { user: admin, role: 'ADMIN' });
  assert.equal(recent.body.samples, [{ minute: minute(first + 60_000), waiting: 0, admitted: 2 }]);
});

test('one sample a minute however many replicas try', async () => {
  const id = await newQueue(1);
  const replicas = [1, 2, 3].map(() => createQueueTimeline({ redis, store: { describe: queue.store.describe, listQueues: async () => [id] } }));
  const at = pastMinute(300 + Math.floor(Math.random() * 500));
  const written = await Promise.all(replicas.map((r) => r.sampleMinute(at)));
  assert.equal(written.sort(), [0, 0, 1]);
  assert.is(await redis.xlen(timelineKey(id)), 1);
});

test('the timeline is for admins, and bad input is a 400 naming the field', async () => {
  const id = await newQueue(1);
  const fan = await call('GET', `/api/v1/queues/${id}/timeline`, { user: randomUUID() });
  assert.is(fan.status, 403);
  assert.is(fan.body.code, 'ADMIN_ONLY');
  const bad = await call('GET', `/api/v1/queues/${id}/timeline?minutes=0`, { user: admin, role: 'ADMIN' });
  assert.is(bad.status, 400);
  assert.match(JSON.stringify(bad.body), 'minutes');
  const empty = await call('GET', `/api/v1/queues/${id}/timeline`, { user: admin, role: 'ADMIN' });
  assert.is(empty.status, 200);
  assert.equal(empty.body.samples, []);
});

test('with its Redis away the timeline answers a fast 503 with Retry-After', async () => {
  // nothing listens on port 1: the client never becomes ready
  const away = createRedis({ url: 'redis://127.0.0.1:1' });
  away.on('error', () => undefined);
  const lonely = await createService({ config: testConfig(), logger: quietLogger(), metrics: createMetrics('queue', { defaultMetrics: false }), redis: away });
  const lonelyServer = await listen(lonely.app, 0);
  try {
    const res = await fetch(`http://127.0.0.1:${lonelyServer.port}/api/v1/queues/${randomUUID()}/timeline`, {
      headers: { 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': admin, 'x-user-role': 'ADMIN' },
    });
    const body = (await res.json()) as Body;
    assert.is(res.status, 503);
    assert.is(body.code, 'QUEUE_UNAVAILABLE');
    assert.ok(Number(res.headers.get('retry-after')) > 0);
  } finally {
    await lonelyServer.close();
    away.disconnect();
  }
});

test.run();
