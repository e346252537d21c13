/**
 * Status polls through the gateway to the real queue service (real Redis): they travel in
 * batches, and every fan still gets exactly the answer the queue gives them.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeJwt } from 'jose';
import { Pool } from 'undici';
import { listen, type RunningServer } from '@ticketping/http';
import { createMetrics, type ServiceMetrics } from '@ticketping/metrics';
import { QUEUE_INDEX_KEY, createRedis, queueKeys, type RedisClient } from '@ticketping/redis';
import { testEnv, entryBody, type ProofOfWorkChallenge } from '@ticketping/testing';
import { loadConfig } from '@ticketping/queue/config';
import { createService as createQueue, type QueueService } from '@ticketping/queue/service';
import { INTERNAL_TOKEN, accessToken, closedPort, makeKeys, problem, quiet, startGateway, startStandIn, type Keys, type RunningGateway, type StandIn } from './helpers.ts';

let keys: Keys;
let auth: StandIn;
let redis: RedisClient;
let queue: QueueService;
let queueMetrics: ServiceMetrics;
let queueServer: RunningServer;
let gateway: RunningGateway;
const performances: string[] = [];

test.before(async () => {
  keys = await makeKeys();
  auth = await startStandIn('auth', { jwks: [keys.auth] });
  redis = createRedis({ url: testEnv.redisUrl });
  queueMetrics = createMetrics('queue', { defaultMetrics: false });
  queue = await createQueue({ config: loadConfig({ INTERNAL_TOKEN, LOG_LEVEL: 'silent' }), logger: quiet(), metrics: queueMetrics, redis });
  await queue.start();
  queueServer = await listen(queue.app, 0);
  const down = `http://127.0.0.1:${await closedPort()}`;
  gateway = await startGateway({ AUTH_URL: auth.url, QUEUE_URL: `http://127.0.0.1:${queueServer.port}`, CATALOG_URL: down, BOOKING_URL: down, PAYMENT_URL: down });
});

test.after(async () => {
  await gateway.close();
  await queueServer.close().catch(() => undefined); // the last test stops it
  await queue.stop();
  for (const id of performances) await redis.del(...Object.values(queueKeys(id)));
  if (performances.length) await redis.srem(QUEUE_INDEX_KEY, ...performances);
  await redis.quit();
  await auth.server.close();
});

/** How many batches of polls the queue has served. */
async function batchesServed(): Promise<number> {
  const { values } = await queueMetrics.httpRequestDuration.get();
  return values.filter((v) => v.metricName?.endsWith('_count') && v.labels.route === '/internal/v1/status-polls').reduce((sum, v) => sum + v.value, 0);
}

const asFan = async (userId: string) => ({ authorization: `Bearer ${await accessToken(keys.authSigner, userId)}` });

/** The documented entry: a proof-of-work challenge, solved, sent with the entry. */
async function enter(performanceId: string, fanHeaders: Record<string, string>): Promise<Response> {
  const headers = { ...fanHeaders, 'content-type': 'application/json' };
  const challenge = (await (await fetch(`${gateway.base}/api/v1/queues/${performanceId}/challenge`, { method: 'POST', headers, body: '{}' })).json()) as ProofOfWorkChallenge;
  return fetch(`${gateway.base}/api/v1/queues/${performanceId}/entries`, { method: 'POST', headers, body: JSON.stringify(entryBody(challenge)) });
}

test('concurrent polls reach the queue in a few calls, and each fan gets their own place in line', async () => {
  const performanceId = randomUUID();
  performances.push(performanceId);
  const created = await fetch(`http://127.0.0.1:${queueServer.port}/internal/v1/queues/${performanceId}`, {
    method: 'PUT', headers: { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN }, body: JSON.stringify({ capacity: 1, admitPerMinute: 600 }),
  });
  assert.is(created.status, 201);
  const fans = Array.from({ length: 40 }, () => randomUUID());
  for (const [i, fan] of fans.entries()) {
    // each fan from a network of their own, as in a sale (entries are capped per address and /24)
    const entered = await enter(performanceId, { ...(await asFan(fan)), 'x-forwarded-for': `10.${i}.0.1` });
    assert.is(entered.status, 200);
  }

  // fans polling at the same moment, on open connections with tokens the gateway has seen (as in a sale)
  const headers = await Promise.all(fans.map(asFan));
  const client = new Pool(gateway.base, { connections: fans.length });
  const pollAll = () => Promise.all(fans.map(async (_, i) => {
    const res = await client.request({ method: 'GET', path: `/api/v1/queues/${performanceId}/entries/me`, headers: headers[i] });
    return { status: res.statusCode, cacheControl: res.headers['cache-control'], body: (await res.body.json()) as { status: string; position: number; queueToken: string | null } };
  }));
  await pollAll();
  const before = await batchesServed();
  const polls = await pollAll();
  const batches = (await batchesServed()) - before;
  await client.close();
  assert.ok(batches >= 1 && batches <= fans.length / 4, `${fans.length} polls took ${batches} calls to the queue`);

  assert.ok(polls.every((poll) => poll.status === 200 && poll.cacheControl === 'no-store'), JSON.stringify(polls.map((p) => p.status)));
  // the first fan holds the one slot, with a token for them; the rest wait in the order they came
  assert.is(polls[0]!.body.status, 'ADMITTED');
  assert.is(decodeJwt(polls[0]!.body.queueToken!).sub, fans[0]);
  polls.slice(1).forEach((poll, i) => assert.equal([poll.body.status, poll.body.position], ['WAITING', i + 1], `fan ${i + 2}`));
});

test('a poll the queue refuses is the same problem+json, with the gateway\'s request id', async () => {
  const performanceId = randomUUID();
  const stranger = await fetch(`${gateway.base}/api/v1/queues/${performanceId}/entries/me`, { headers: { ...(await asFan(randomUUID())), 'x-request-id': 'poll-404' } });
  assert.is(stranger.status, 404);
  assert.match(stranger.headers.get('content-type') ?? '', /application\/problem\+json/);
  const body = await problem(stranger);
  assert.equal([body.code, body.instance, body.requestId], ['QUEUE_NOT_FOUND', `/api/v1/queues/${performanceId}/entries/me`, 'poll-404']);

  const badId = await fetch(`${gateway.base}/api/v1/queues/not-a-uuid/entries/me`, { headers: await asFan(randomUUID()) });
  const invalid = await problem(badId);
  assert.equal([badId.status, invalid.code], [400, 'VALIDATION_FAILED']);
  assert.match(String(invalid.detail), /params\.performanceId/);
});

test('a queue that never answers: a poll is a 503 within the gateway\'s deadline', async () => {
  const silent = createServer(() => {}); // accepts, reads, never answers
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const impatient = await startGateway({ AUTH_URL: auth.url, QUEUE_URL: `http://127.0.0.1:${(silent.address() as { port: number }).port}`, UPSTREAM_TIMEOUT_MS: '300' });
  try {
    const started = Date.now();
    const res = await fetch(`${impatient.base}/api/v1/queues/${randomUUID()}/entries/me`, { headers: await asFan(randomUUID()) });
    assert.equal([res.status, (await problem(res)).code], [503, 'UPSTREAM_TIMEOUT']);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  } finally {
    await impatient.close();
    silent.closeAllConnections();
    silent.close();
  }
});

test('a broken batch answer (answers missing) is a 502, never another fan\'s answer', async () => {
  const broken = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end('{"answers":[]}'); });
  await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
  const confused = await startGateway({ AUTH_URL: auth.url, QUEUE_URL: `http://127.0.0.1:${(broken.address() as { port: number }).port}` });
  try {
    const res = await fetch(`${confused.base}/api/v1/queues/${randomUUID()}/entries/me`, { headers: await asFan(randomUUID()) });
    assert.equal([res.status, (await problem(res)).code], [502, 'UPSTREAM_FAILED']);
  } finally {
    await confused.close();
    broken.closeAllConnections();
    broken.close();
  }
});

test('the queue down: a poll is a quick 503 with Retry-After, not a hang', async () => {
  await queueServer.close();
  const started = Date.now();
  const res = await fetch(`${gateway.base}/api/v1/queues/${randomUUID()}/entries/me`, { headers: await asFan(randomUUID()) });
  assert.equal([res.status, (await problem(res)).code], [503, 'UPSTREAM_UNAVAILABLE']);
  assert.ok(Number(res.headers.get('retry-after')) > 0);
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
});

test.run();
