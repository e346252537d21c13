import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRedis, defineScripts, type RedisClient } from '@ticketping/redis';
import { randomPrefix, testEnv } from '@ticketping/testing';
import { freePort } from '@ticketping/http';
import { createLogger } from '@ticketping/logger';
import { createRateLimiter, type RateLimiter, type RateLimiterOptions } from '../src/rate-limit/rate-limiter.ts';
import { scripts } from '../src/redis/lua/index.generated.ts';

const quiet = () => createLogger({ service: 'test', level: 'silent' });

const clients: RedisClient[] = [];
const limiters: RateLimiter[] = [];
const WINDOW_SECONDS = 86_400; // windows are aligned to the clock: a day-long one is not crossed mid-test

function limiter(keyPrefix: string, pollPerUser: number, redisUrl = testEnv.redisUrl) {
  const redis = createRedis({ url: redisUrl, maxRetriesPerRequest: 0 });
  redis.on('error', () => {}); // one test points it at a dead server on purpose
  defineScripts(redis, scripts);
  clients.push(redis);
  const events = { limited: 0, errors: 0 };
  const options: RateLimiterOptions = {
    keyPrefix, windowSeconds: WINDOW_SECONDS, redisTimeoutMs: 200, logger: quiet(),
    limits: { api: { user: 0, ip: 0 }, poll: { user: pollPerUser, ip: 0 } },
    onLimited: () => events.limited++,
    onError: () => events.errors++,
  };
  const made = createRateLimiter(redis, options);
  limiters.push(made);
  return { ...made, events };
}

/** Counts one request; true if it may pass. */
async function allowed(rateLimiter: RateLimiter, user: string): Promise<boolean> {
  try {
    await rateLimiter.check('poll', 'user', user);
    return true;
  } catch (error) {
    assert.is((error as { code?: string }).code, 'RATE_LIMITED');
    return false;
  }
}

const sharedCount = async (prefix: string, user: string) => {
  const window = Math.floor(Date.now() / (WINDOW_SECONDS * 1000));
  return Number(await clients[0]!.get(`${prefix}:rl:poll:user:${user}:${window}`) ?? 0);
};

test.after(async () => {
  for (const made of limiters) made.close();
  for (const client of clients) client.disconnect();
});

test('a client at a normal pace costs no Redis round trip; its count reaches Redis in batches of a tenth of the limit', async () => {
  const prefix = randomPrefix('rl');
  const gateway = limiter(prefix, 100);
  for (let i = 0; i < 9; i++) assert.ok(await allowed(gateway, 'fan-1'));
  assert.is(await sharedCount(prefix, 'fan-1'), 0, 'nine requests stay local');
  assert.ok(await allowed(gateway, 'fan-1'));
  assert.is(await sharedCount(prefix, 'fan-1'), 10, 'the tenth reports the batch');
  for (let i = 0; i < 90; i++) assert.ok(await allowed(gateway, 'fan-1'), `request ${i + 11}`);
  assert.not.ok(await allowed(gateway, 'fan-1'), 'the 101st is refused');
  assert.is(gateway.events.limited, 1);
});

test('replicas share one budget, to within one unreported batch each', async () => {
  const prefix = randomPrefix('rl');
  const replicas = [limiter(prefix, 100), limiter(prefix, 100), limiter(prefix, 100)];
  let passed = 0;
  for (let i = 0; i < 300; i++) if (await allowed(replicas[i % 3]!, 'fan-2')) passed++;
  assert.ok(passed >= 100 && passed <= 100 + 3 * 9, `${passed} passed of a budget of 100 across 3 replicas`);
  assert.is(await sharedCount(prefix, 'fan-2') % 10, 0, 'only whole batches were reported');
});

test('a limit under 20 is checked in Redis on every request, exactly, across replicas', async () => {
  const prefix = randomPrefix('rl');
  const [a, b] = [limiter(prefix, 5), limiter(prefix, 5)];
  const answers = [];
  for (let i = 0; i < 7; i++) answers.push(await allowed(i % 2 ? a : b, 'fan-3'));
  assert.equal(answers, [true, true, true, true, true, false, false]);
  assert.is(await sharedCount(prefix, 'fan-3'), 7);
});

test('with Redis unreachable each replica limits on its own count, without waiting on Redis for every request', async () => {
  const deaf = limiter(randomPrefix('rl'), 30, `redis://127.0.0.1:${await freePort()}`);
  const started = Date.now();
  let passed = 0;
  for (let i = 0; i < 40; i++) if (await allowed(deaf, 'fan-4')) passed++;
  assert.is(passed, 30, 'the local count still enforces the limit');
  assert.ok(deaf.events.errors >= 1, 'the failure is counted');
  assert.ok(Date.now() - started < 1500, `40 requests took ${Date.now() - started} ms: a failed report quiets Redis for a second`);
});

test.run();
