import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomPrefix, testEnv } from '@ticketping/testing';
import { createRedis, defineScripts, pingRedis, type RedisClient } from '../src/index.ts';

const redis = createRedis({ url: testEnv.redisUrl });
const prefix = randomPrefix('redis');

test.after(async () => {
  const keys = await redis.keys(`{${prefix}}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

test('ping answers for readiness', async () => {
  await pingRedis(redis);
});

test('scripts registered with defineScripts run atomically through KEYS', async () => {
  defineScripts(redis, [{ name: 'incrTwice', numberOfKeys: 1, lua: "redis.call('INCRBY', KEYS[1], ARGV[1]); return redis.call('INCRBY', KEYS[1], ARGV[1])" }]);
  const key = `{${prefix}}:counter`;
  const run = (r: RedisClient) => (r as unknown as { incrTwice(k: string, n: number): Promise<number> }).incrTwice(key, 5);
  const results = await Promise.all(Array.from({ length: 20 }, () => run(redis)));
  assert.is(Math.max(...results), 200);
  assert.is(new Set(results).size, 20, 'each call saw its own two increments together');
});

test('a dead server fails commands fast instead of hanging', async () => {
  const dead = createRedis({ url: 'redis://127.0.0.1:1', maxRetriesPerRequest: 0, lazyConnect: true });
  dead.on('error', () => {});
  const started = Date.now();
  try {
    await dead.ping();
    assert.unreachable();
  } catch (error) {
    assert.ok(error instanceof Error);
  }
  assert.ok(Date.now() - started < 3000);
  dead.disconnect();
});

test.run();
