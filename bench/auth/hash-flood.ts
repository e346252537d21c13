/**
 * Login for a fan during a hash flood: auth (`services/auth/src/main.ts`, its own process, default
 * hashing budget) on the test environment's Postgres and Redis takes a flood of sign-ups from many
 * addresses (a botnet, so the gateway's per-address caps do not apply; the requests go to auth
 * as the gateway would forward them) while one fan logs in every second from another address. The
 * fan does what the web client does: on 503 with Retry-After it waits and sends again.
 *
 *   bench/auth/hash-flood.ts [--signups 1000] [--concurrency 64] [--cost 15]
 *
 * Prints the fan's login time (first send to tokens, retries included) and per-attempt answers,
 * and how the flood was answered.
 */
import { parseArgs } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '@ticketping/db/testing';
import { randomPrefix, testEnv } from '@ticketping/testing';
import { startServiceProcess } from '../../services/booking/test/booking-process.ts';

const { values: args } = parseArgs({ options: { signups: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '64' }, cost: { type: 'string', default: '15' } } });
const SIGNUPS = Number(args.signups);
const CONCURRENCY = Number(args.concurrency);
const INTERNAL_TOKEN = 'bench-internal-token-0123456789';
const AUTH_MAIN = path.resolve(import.meta.dirname, '../../services/auth/src/main.ts');
const MIGRATIONS = path.resolve(import.meta.dirname, '../../services/auth/migrations');

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
const ms = (n: number) => `${Math.round(n)} ms`;

const load = () => os.loadavg().map((n) => n.toFixed(2)).join(' ');
process.stdout.write(`machine: ${os.availableParallelism()} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${new Date().toISOString()}; load before ${load()}\n`);

const db = await createTestDatabase(testEnv.postgresUrl, [{ directory: MIGRATIONS, schema: 'auth' }]);
const auth = await startServiceProcess(AUTH_MAIN, {
  INTERNAL_TOKEN, DATABASE_URL: db.url, REDIS_URL: testEnv.redisUrl, REDIS_KEY_PREFIX: `tp:${randomPrefix('benchauth')}`, PASSWORD_HASH_COST: String(args.cost),
});

async function post(route: string, body: unknown, address: string): Promise<{ status: number; retryAfter: number | undefined }> {
  const res = await fetch(`${auth.base}${route}`, {
    method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN, 'x-forwarded-for': address },
  });
  await res.arrayBuffer();
  const retryAfter = res.headers.get('retry-after');
  return { status: res.status, retryAfter: retryAfter === null ? undefined : Number(retryAfter) };
}

try {
  const fan = { email: `fan-${randomUUID().slice(0, 8)}@bench.test`, password: 'fan-password-1' };
  if ((await post('/api/v1/users', { ...fan, nickname: 'fan' }, '203.0.113.1')).status !== 201) throw new Error('the fan could not sign up');

  const floodAnswers = new Map<number, number>();
  let sent = 0;
  let flooding = true;
  const floodStarted = performance.now();
  const flood = Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = sent++; i < SIGNUPS; i = sent++) {
      const { status } = await post('/api/v1/users', { email: `bot-${i}-${randomUUID().slice(0, 6)}@bench.test`, password: 'bot-password', nickname: 'bot' }, `10.${(i >> 8) & 255}.${i & 255}.1`);
      floodAnswers.set(status, (floodAnswers.get(status) ?? 0) + 1);
    }
  })).then(() => { flooding = false; });

  const logins: number[] = [];
  const attempts: number[] = [];
  const attemptAnswers = new Map<number, number>();
  while (flooding) {
    const tick = performance.now();
    for (;;) {
      const started = performance.now();
      const { status, retryAfter } = await post('/api/v1/auth/login', fan, '203.0.113.1');
      attempts.push(performance.now() - started);
      attemptAnswers.set(status, (attemptAnswers.get(status) ?? 0) + 1);
      if (status === 200) break;
      if (status !== 503 || retryAfter === undefined) throw new Error(`the fan's login answered ${status}`);
      await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + Math.random() * 500));
    }
    logins.push(performance.now() - tick);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (performance.now() - tick))));
  }
  await flood;
  const floodSeconds = (performance.now() - floodStarted) / 1000;

  const sortedLogins = [...logins].sort((a, b) => a - b);
  const sortedAttempts = [...attempts].sort((a, b) => a - b);
  const answers = (map: Map<number, number>) => [...map].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(', ');
  process.stdout.write(`flood: ${SIGNUPS} sign-ups, ${CONCURRENCY} at a time, over ${floodSeconds.toFixed(1)} s; answers ${answers(floodAnswers)}\n`);
  process.stdout.write(`fan login (to tokens, retries included), ${logins.length} logins: p50 ${ms(quantile(sortedLogins, 0.5))}, p99 ${ms(quantile(sortedLogins, 0.99))}, max ${ms(sortedLogins.at(-1) ?? Number.NaN)}\n`);
  process.stdout.write(`fan login attempts: ${attempts.length}, answers ${answers(attemptAnswers)}; per attempt p50 ${ms(quantile(sortedAttempts, 0.5))}, p99 ${ms(quantile(sortedAttempts, 0.99))}\n`);
} finally {
  await auth.stop();
  await db.drop();
  process.stdout.write(`load after ${load()}\n`);
}
