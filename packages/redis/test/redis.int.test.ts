import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomPrefix, testEnv } from '@ticketping/testing';
import { createRedis, defineScripts, pingRedis, runScript, type LuaScript } from '../src/index.ts';

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

test('scripts registered with defineScripts run atomically, their keys and arguments given by name', async () => {
  const incrTwice = {
    name: 'incrTwice', numberOfKeys: 2, keys: ['counter', 'log'], args: ['by', 'note'],
    lua: "redis.call('RPUSH', KEYS[2], ARGV[2]); redis.call('INCRBY', KEYS[1], ARGV[1]); return redis.call('INCRBY', KEYS[1], ARGV[1])",
  } as const satisfies LuaScript;
  defineScripts(redis, [incrTwice]);
  const keys = { log: `{${prefix}}:log`, counter: `{${prefix}}:counter`, unused: 'ignored' };
  const results = await Promise.all(Array.from({ length: 20 }, () => runScript(redis, incrTwice, keys, { note: 'n', by: 5 }) as Promise<number>));
  assert.is(Math.max(...results), 200);
  assert.is(new Set(results).size, 20, 'each call saw its own two increments together');
  assert.is(await redis.llen(keys.log), 20, 'each name reached its own position');
});

test('a variadic script takes the rest after its named arguments', async () => {
  const setPairs = { name: 'setPairs', numberOfKeys: 1, keys: ['hash'], args: [], rest: 'pairs', lua: "return redis.call('HSET', KEYS[1], unpack(ARGV))" } as const satisfies LuaScript;
  defineScripts(redis, [setPairs]);
  const hash = `{${prefix}}:hash`;
  assert.is(await runScript(redis, setPairs, { hash }, {}, ['a', 1, 'b', 'two']), 2);
  assert.equal(await redis.hgetall(hash), { a: '1', b: 'two' });
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
