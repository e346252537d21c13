/**
 * Sign-up and login have their own budget for password hashing: a burst gets fast 503s with
 * Retry-After instead of everyone waiting out the gateway's deadline, and logins go first.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestDatabase, type TestDatabase } from '@ticketping/db/testing';
import { createRedis } from '@ticketping/redis';
import { randomPrefix, testEnv } from '@ticketping/testing';
import { MIGRATIONS_DIRECTORY, SCHEMA } from '../src/migrate.ts';
import { INTERNAL_TOKEN, startAuth, type AuthUnderTest } from './harness.ts';

const keyPrefix = randomPrefix('auth-budget');
const redis = createRedis({ url: testEnv.redisUrl });
let db: TestDatabase;
let auth: AuthUnderTest;
let base = '';

test.before(async () => {
  db = await createTestDatabase(testEnv.postgresUrl, [{ directory: MIGRATIONS_DIRECTORY, schema: SCHEMA }]);
  auth = await startAuth({ db, redis }, {
    REDIS_KEY_PREFIX: keyPrefix,
    PASSWORD_HASH_COST: '14', PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '3', PASSWORD_HASH_MAX_WAIT_MS: '2000',
  });
  base = auth.base;
});

test.after(async () => {
  await auth?.close();
  await db?.drop();
  const keys = await redis.keys(`${keyPrefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

async function post(route: string, body: unknown, ip: string) {
  const started = performance.now();
  const res = await fetch(`${base}${route}`, {
    method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN, 'x-forwarded-for': ip },
  });
  const parsed = (await res.json()) as { code?: string };
  return { status: res.status, code: parsed.code, retryAfter: res.headers.get('retry-after'), ms: performance.now() - started };
}

const signUp = (n: number, ip = '198.51.100.7') => post('/api/v1/users', { email: `burst${n}.${keyPrefix}@example.test`, password: 'burst-password', nickname: 'Burst' }, ip);

test('a burst of sign-ups: a few are hashed, the rest get a prompt 503 AUTH_BUSY with Retry-After, none are lost in silence', async () => {
  const results = await Promise.all(Array.from({ length: 40 }, (_, n) => signUp(n)));
  const created = results.filter((r) => r.status === 201);
  const busy = results.filter((r) => r.status === 503);
  assert.is(created.length + busy.length, 40, `only 201 and 503: ${JSON.stringify(results.map((r) => r.status))}`);
  assert.ok(created.length >= 4, 'the running hash and the line were served');
  assert.ok(busy.length >= 20, 'the rest were refused instead of queued without bound');
  assert.ok(busy.every((r) => r.code === 'AUTH_BUSY' && r.retryAfter === '1'));
  // refused at once, not after waiting for a turn: each of them answered before the last hash finished
  const slowestCreated = Math.max(...created.map((r) => r.ms));
  assert.ok(busy.filter((r) => r.ms < slowestCreated).length >= 20);
});

test('during a sign-up flood a fan who retries on 503 after Retry-After logs in, ahead of the waiting sign-ups', async () => {
  const fan = { email: `fan.${keyPrefix}@example.test`, password: 'fan-password-1' };
  assert.is((await post('/api/v1/users', { ...fan, nickname: 'Fan' }, '203.0.113.5')).status, 201);
  let flooding = true;
  let n = 1000;
  const flood = (async () => {
    while (flooding) await Promise.all(Array.from({ length: 8 }, () => signUp(n++)));
  })();
  try {
    let login = await post('/api/v1/auth/login', fan, '203.0.113.5');
    for (let tries = 0; login.status === 503 && tries < 10; tries++) {
      await new Promise((resolve) => setTimeout(resolve, Number(login.retryAfter) * 1000));
      login = await post('/api/v1/auth/login', fan, '203.0.113.5');
    }
    assert.is(login.status, 200);
  } finally {
    flooding = false;
    await flood;
  }
});

test.run();
