/**
 * Redis out of reach (a TCP proxy in front of the real Redis, cut and restored): the gateway stays
 * Ready, its rate limits go on per replica, and a status poll is the queue's own quick 503 with
 * Retry-After. When Redis is back, the fan's place is still there.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listen, type RunningServer } from '@ticketping/http';
import { createMetrics } from '@ticketping/metrics';
import { QUEUE_INDEX_KEY, createRedis, queueKeys, type RedisClient } from '@ticketping/redis';
import { eventually, testEnv, entryBody, type ProofOfWorkChallenge } from '@ticketping/testing';
import { loadConfig } from '@ticketping/queue/config';
import { createService as createQueue, type QueueService } from '@ticketping/queue/service';
import { INTERNAL_TOKEN, accessToken, closedPort, makeKeys, problem, quiet, startGateway, startStandIn, startTcpProxy, type Keys, type RunningGateway, type StandIn, type TcpProxy } from './helpers.ts';

let keys: Keys;
let auth: StandIn;
let proxy: TcpProxy;
let queueRedis: RedisClient;
let queue: QueueService;
let queueServer: RunningServer;
let gateway: RunningGateway;
const performanceId = randomUUID();

test.before(async () => {
  keys = await makeKeys();
  auth = await startStandIn('auth', { jwks: [keys.auth] });
  proxy = await startTcpProxy(testEnv.redisUrl);
  queueRedis = createRedis({ url: proxy.url });
  queueRedis.on('error', () => {}); // cut on purpose below
  queue = await createQueue({ config: loadConfig({ INTERNAL_TOKEN, LOG_LEVEL: 'silent' }), logger: quiet(), metrics: createMetrics('queue', { defaultMetrics: false }), redis: queueRedis });
  queueServer = await listen(queue.app, 0);
  const down = `http://127.0.0.1:${await closedPort()}`;
  // a low poll limit, so the rate limiter reports to Redis every third poll
  gateway = await startGateway({
    AUTH_URL: auth.url, QUEUE_URL: `http://127.0.0.1:${queueServer.port}`, CATALOG_URL: down, BOOKING_URL: down, PAYMENT_URL: down,
    RATE_LIMIT_POLL_PER_USER: '30', RATE_LIMIT_POLL_PER_IP: '1000',
  }, proxy.url);
});

test.after(async () => {
  await gateway.close();
  await queueServer.close();
  await queue.stop();
  await proxy.close();
  queueRedis.disconnect();
  const redis = createRedis({ url: testEnv.redisUrl });
  await redis.del(...Object.values(queueKeys(performanceId)));
  await redis.srem(QUEUE_INDEX_KEY, performanceId);
  await redis.quit();
  await auth.server.close();
});

const asFan = async (userId: string) => ({ authorization: `Bearer ${await accessToken(keys.authSigner, userId)}` });
/** The documented entry: a proof-of-work challenge, solved, sent with the entry. */
const enter = async (userId: string) => {
  const headers = { ...(await asFan(userId)), 'content-type': 'application/json' };
  const challenge = (await (await fetch(`${gateway.base}/api/v1/queues/${performanceId}/challenge`, { method: 'POST', headers, body: '{}' })).json()) as ProofOfWorkChallenge;
  return fetch(`${gateway.base}/api/v1/queues/${performanceId}/entries`, { method: 'POST', headers, body: JSON.stringify(entryBody(challenge)) });
};
const poll = async (userId: string) => fetch(`${gateway.base}/api/v1/queues/${performanceId}/entries/me`, { headers: await asFan(userId) });

test('Redis cut: the gateway stays Ready, polls get a quick 503 with Retry-After, and the place is kept when Redis is back', async () => {
  assert.is((await queue.store.create(performanceId, { capacity: 1, admitPerMinute: 600, opensAtMs: 0, closesAtMs: 0, totalSeats: 0 })), true);
  const [first, second] = [randomUUID(), randomUUID()];
  for (const fan of [first, second]) {
    assert.is((await enter(fan)).status, 200);
  }
  assert.equal([(await (await poll(second)).json()).position], [1]);

  await proxy.cut();
  await eventually(() => queueRedis.status === 'reconnecting' && gateway.redis.status === 'reconnecting', 10_000);
  const ready = await fetch(`${gateway.management}/readyz`);
  assert.is(ready.status, 200, JSON.stringify(await ready.json()));

  // well under the gateway's 10 s upstream deadline: the queue says at once that it cannot answer
  for (let i = 0; i < 6; i++) {
    const started = Date.now();
    const res = await poll(second);
    const body = await problem(res);
    assert.equal([res.status, body.code], [503, 'QUEUE_UNAVAILABLE'], `poll ${i + 1}`);
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  }

  await proxy.restore();
  const back = await eventually(async () => {
    const res = await poll(second);
    return res.status === 200 ? ((await res.json()) as { status: string; position: number }) : undefined;
  }, 15_000, 200);
  assert.equal([back.status, back.position], ['WAITING', 1], 'the place in line survived the outage');
});

test.run();
