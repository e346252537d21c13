/**
 * One hop (the queue's QUEUE_ONE_HOP, the chart's ingress.statusPollsToQueue) beside the gateway:
 * a fan has one poll budget whichever door the poll comes through, because both count it in the
 * same Redis keys, and the queue fetches auth's keys the way the gateway does.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listen, type RunningServer } from '@ticketping/http';
import { createMetrics } from '@ticketping/metrics';
import { QUEUE_INDEX_KEY, createRedis, queueKeys, type RedisClient } from '@ticketping/redis';
import { randomPrefix, testEnv } from '@ticketping/testing';
import { loadConfig } from '@ticketping/queue/config';
import { createService as createQueue, type QueueService } from '@ticketping/queue/service';
import { INTERNAL_TOKEN, accessToken, makeKeys, problem, quiet, startGateway, startStandIn, type Keys, type RunningGateway, type StandIn } from './helpers.ts';

const POLLS_PER_USER = 6;
// windows are aligned to the clock: a day-long one is not crossed mid-test
const budget = { RATE_LIMIT_WINDOW_SECONDS: '86400', RATE_LIMIT_POLL_PER_USER: String(POLLS_PER_USER) };
let keys: Keys;
let auth: StandIn;
let redis: RedisClient;
let queue: QueueService;
let queueServer: RunningServer;
let queueBase = '';
let gateway: RunningGateway;
const performanceId = randomUUID();

test.before(async () => {
  keys = await makeKeys();
  // the stand-in refuses its JWKS without the internal token: the queue must fetch it as the gateway does
  auth = await startStandIn('auth', { jwks: [keys.auth] });
  const REDIS_KEY_PREFIX = `tp:${randomPrefix('onehop')}`;
  redis = createRedis({ url: testEnv.redisUrl });
  const config = loadConfig({ INTERNAL_TOKEN, LOG_LEVEL: 'silent', QUEUE_ONE_HOP: 'true', QUEUE_POW_MAX_NUMBER: '0', AUTH_URL: auth.url, REDIS_KEY_PREFIX, ...budget });
  queue = await createQueue({ config, logger: quiet(), metrics: createMetrics('queue', { defaultMetrics: false }), redis });
  queueServer = await listen(queue.app, 0);
  queueBase = `http://127.0.0.1:${queueServer.port}`;
  gateway = await startGateway({ AUTH_URL: auth.url, QUEUE_URL: queueBase, REDIS_KEY_PREFIX, ...budget });
});

test.after(async () => {
  await gateway.close();
  await queueServer.close();
  await queue.stop();
  await redis.del(...Object.values(queueKeys(performanceId)));
  await redis.srem(QUEUE_INDEX_KEY, performanceId);
  await redis.quit();
  await auth.server.close();
});

test('a fan has one poll budget across the gateway and the one hop', async () => {
  const internal = { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN };
  const fan = randomUUID();
  assert.is((await fetch(`${queueBase}/internal/v1/queues/${performanceId}`, { method: 'PUT', headers: internal, body: JSON.stringify({ capacity: 1, admitPerMinute: 1 }) })).status, 201);
  for (const user of [randomUUID(), fan]) {
    assert.is((await fetch(`${queueBase}/api/v1/queues/${performanceId}/entries`, { method: 'POST', headers: { ...internal, 'x-user-id': user }, body: '{}' })).status, 200);
  }
  const headers = { authorization: `Bearer ${await accessToken(keys.authSigner, fan)}` };
  const path = `/api/v1/queues/${performanceId}/entries/me`;
  const half = POLLS_PER_USER / 2;
  for (let i = 0; i < half; i++) assert.is((await fetch(`${gateway.base}${path}`, { headers })).status, 200, `gateway poll ${i + 1}`);
  for (let i = 0; i < half; i++) assert.is((await fetch(`${queueBase}${path}`, { headers })).status, 200, `one-hop poll ${i + 1}`);
  for (const door of [queueBase, gateway.base]) {
    const refused = await fetch(`${door}${path}`, { headers });
    assert.equal([refused.status, (await problem(refused)).code], [429, 'RATE_LIMITED'], `past the shared budget at ${door}`);
  }
});

test.run();
