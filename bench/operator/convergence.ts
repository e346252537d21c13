/**
 * The admission loop against the real booking service: booking (src/main.ts, its own process) on a
 * Postgres database of its own with a one-connection pool (DATABASE_POOL_MAX=1: the throttle), the
 * real queue service (its own process), the operator (its own process) with admissionControl on
 * booking's /metrics, and the test environment's control plane for the QueueScaler.
 *
 * A driver plays the admitted fans: every 250 ms it reads how many fans the queue admitted since
 * the last look and makes `requestsPerFan` booking requests for each (`GET /api/v1/orders`, one
 * query each through the one connection). Mid-sale `requestsPerFan` doubles: booking's capacity in
 * admissions per minute halves. The rate the operator sets is sampled every 500 ms.
 *
 *   npm run testenv run --only postgres,kube -- node --conditions=source bench/operator/convergence.ts
 *   (or with .testenv/env.sh of a running test environment sourced)
 *
 * Prints the rate over time and the figures: convergence time, overshoot and oscillation before and
 * after the halving, and the reaction to it in polling intervals.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createTestDatabase } from '@ticketping/db/testing';
import { freePort } from '@ticketping/http/free-port';
import { eventually, testEnv } from '@ticketping/testing';
import { MIGRATIONS_DIRECTORY, SCHEMA } from '@ticketping/booking/migrate';
import {
  applyCrd, clients, createDeployment, createNamespace, createQueueScaler, deleteNamespace, operatorEnv, readQueueScaler, startOperator,
} from '../../operators/queue-scaler/test/support.ts';

const root = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'bench-internal-token-0123456789';
const POLL_S = 2;
const PHASE_MS = Number(process.env.PHASE_SECONDS ?? 90) * 1000;
const FANS = 20_000;
let requestsPerFan = 6;

const children: ChildProcess[] = [];
function run(main: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=source', path.join(root, main)], { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}
async function ready(url: string): Promise<void> {
  await eventually(async () => (await fetch(url).catch(() => undefined))?.ok ?? false, 120_000, 250);
}

// a Redis of its own: the queue's admission loop must not tick other suites' queues, nor theirs this one
const redisPort = await freePort();
const redisDir = await mkdtemp(path.join(os.tmpdir(), 'convergence-redis-'));
const redisServer = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--dir', redisDir], { stdio: 'ignore' });
const redisUrl = `redis://127.0.0.1:${redisPort}`;
const redis = new Redis(redisUrl, { retryStrategy: () => 100 });
redis.on('error', () => undefined);
await eventually(async () => (await redis.ping()) === 'PONG', 10_000, 100);

const db = await createTestDatabase(testEnv.postgresUrl, [{ directory: MIGRATIONS_DIRECTORY, schema: SCHEMA }]);
const c = clients();
let ns = '';
try {
  const [queuePort, queueMgmt, bookingPort, bookingMgmt] = [await freePort(), await freePort(), await freePort(), await freePort()];
  run('services/queue/src/main.ts', {
    PORT: String(queuePort), MANAGEMENT_PORT: String(queueMgmt), REDIS_URL: redisUrl, INTERNAL_TOKEN: TOKEN, QUEUE_TICK_MS: '250',
    QUEUE_GRACE_SECONDS: '86400', QUEUE_MAX_POLL_MS: '3600000', QUEUE_REBUILD_INTERVAL_MS: '3600000', CATALOG_URL: 'http://127.0.0.1:9',
    QUEUE_POW_MAX_NUMBER: '0', // the line is filled by this script; proof-of-work is not what it measures
  });
  run('services/booking/src/main.ts', {
    PORT: String(bookingPort), MANAGEMENT_PORT: String(bookingMgmt), REDIS_URL: redisUrl, INTERNAL_TOKEN: TOKEN, DATABASE_URL: db.url,
    DATABASE_POOL_MAX: '1', QUEUE_JWKS_URL: `http://127.0.0.1:${queuePort}/.well-known/jwks.json`,
  });
  await Promise.all([ready(`http://127.0.0.1:${queueMgmt}/readyz`), ready(`http://127.0.0.1:${bookingMgmt}/readyz`)]);
  const queueBase = `http://127.0.0.1:${queuePort}`;
  const headers = { 'content-type': 'application/json', 'x-internal-token': TOKEN };
  const admin = { ...headers, 'x-user-id': randomUUID(), 'x-user-role': 'ADMIN' };

  const performanceId = randomUUID();
  await fetch(`${queueBase}/internal/v1/queues/${performanceId}`, { method: 'PUT', headers, body: JSON.stringify({ capacity: 1_000_000, admitPerMinute: 100_000 }) });
  await fetch(`${queueBase}/api/v1/queues/${performanceId}`, { method: 'PATCH', headers: admin, body: JSON.stringify({ state: 'PAUSED' }) });
  for (let i = 0; i < FANS; i += 200) {
    await Promise.all(Array.from({ length: 200 }, () => fetch(`${queueBase}/api/v1/queues/${performanceId}/entries`, { method: 'POST', headers: { ...headers, 'x-user-id': randomUUID() } })));
  }

  await applyCrd(c);
  ns = await createNamespace(c, 'qs-converge');
  await createDeployment(c, ns, 'booking');
  await createQueueScaler(c, ns, 'booking', {
    scaleTargetRef: { name: 'booking' }, source: { metric: 'waiting', performanceId }, targetPerReplica: 1_000_000, pollingIntervalSeconds: POLL_S,
    admissionControl: {
      bookingMetricsUrl: `http://127.0.0.1:${bookingMgmt}/metrics`, slo: { p95Milliseconds: 300, errorPercent: 1 },
      additiveIncrease: 120, decreasePercent: 30, maxIncreasePerMinute: 6000, minAdmitPerMinute: 60, maxAdmitPerMinute: 20_000, minSamples: 10,
    },
  });
  const operator = await startOperator('converge', { ...operatorEnv(ns, redisUrl), QUEUE_URL: queueBase, INTERNAL_TOKEN: TOKEN, LOG_LEVEL: 'warn' });
  // open only once the operator's rate is in force: before it, the admins' ceiling (100,000/min)
  // would admit a burst that fills the queue's sliding minute and stalls admission for a minute
  await eventually(async () => (await redis.hget(`tp:{q:${performanceId}}:config`, 'operatorAdmitPerMinute')) !== null, 30_000, 100);
  await fetch(`${queueBase}/api/v1/queues/${performanceId}`, { method: 'PATCH', headers: admin, body: JSON.stringify({ state: 'OPEN' }) });

  const started = Date.now();
  let admittedSeen = 0;
  let inFlight = 0;
  const driver = setInterval(() => {
    void redis.hget(`tp:{q:${performanceId}}:stats`, 'admittedTotal').then((total) => {
      const admitted = Number(total ?? 0);
      const fresh = admitted - admittedSeen;
      admittedSeen = admitted;
      for (let i = 0; i < fresh * requestsPerFan; i++) {
        inFlight++;
        void fetch(`http://127.0.0.1:${bookingPort}/api/v1/orders`, { headers: { 'x-internal-token': TOKEN, 'x-user-id': randomUUID() } })
          .then((res) => res.arrayBuffer()).catch(() => undefined).finally(() => { inFlight--; });
      }
    });
  }, 250);
  const samples: { t: number; rate: number; p95: number }[] = [];
  const sampler = setInterval(() => {
    void readQueueScaler(c, ns, 'booking').then((qs) => {
      samples.push({ t: Date.now() - started, rate: qs.status?.admitPerMinute ?? 0, p95: qs.status?.bookingP95Milliseconds ?? -1 });
    }).catch(() => undefined);
  }, 500);
  await new Promise((resolve) => setTimeout(resolve, PHASE_MS));
  const halvedAt = Date.now() - started;
  requestsPerFan *= 2;
  await new Promise((resolve) => setTimeout(resolve, PHASE_MS));
  clearInterval(driver);
  clearInterval(sampler);
  await operator.stop();

  const window = (from: number, to: number) => samples.filter((s) => s.t >= from && s.t < to).map((s) => s.rate);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  // settled: the last third of each phase
  const band1 = window((PHASE_MS * 2) / 3, PHASE_MS);
  const band2 = window(halvedAt + (PHASE_MS * 2) / 3, halvedAt + PHASE_MS);
  const [m1, m2] = [mean(band1), mean(band2)];
  const firstIn1 = samples.find((s) => s.rate >= m1 * 0.9);
  const firstIn2 = samples.find((s) => s.t > halvedAt && s.rate <= m2 * 1.1);
  const firstCut = samples.find((s) => s.t > halvedAt && s.rate < (samples.filter((x) => x.t <= halvedAt).at(-1)?.rate ?? 0));
  const overshoot1 = Math.max(...window(0, PHASE_MS)) / m1 - 1;
  const undershoot2 = 1 - Math.min(...window(halvedAt, halvedAt + PHASE_MS)) / m2;
  const swing = (xs: number[], m: number) => (Math.max(...xs) - Math.min(...xs)) / m;
  process.stdout.write(`load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; requests still in flight: ${inFlight}\n`);
  process.stdout.write(`rate (admissions/min) every ~5 s: ${samples.filter((_, i) => i % 10 === 0).map((s) => `${(s.t / 1000).toFixed(0)}s:${s.rate}(p95 ${s.p95})`).join(' ')}\n`);
  process.stdout.write(`| phase | settled mean (last third) | reached within 10 % after | overshoot / undershoot | swing in the last third (max−min)/mean |\n|---|---|---|---|---|\n`);
  process.stdout.write(`| from the floor, ${requestsPerFan / 2} requests per fan | ${m1.toFixed(0)}/min | ${firstIn1 ? (firstIn1.t / 1000).toFixed(1) : '–'} s | +${(overshoot1 * 100).toFixed(0)} % | ${(swing(band1, m1) * 100).toFixed(0)} % |\n`);
  process.stdout.write(`| capacity halved (${requestsPerFan} per fan) | ${m2.toFixed(0)}/min (${((m2 / m1) * 100).toFixed(0)} % of before) | ${firstIn2 ? ((firstIn2.t - halvedAt) / 1000).toFixed(1) : '–'} s | −${(undershoot2 * 100).toFixed(0)} % | ${(swing(band2, m2) * 100).toFixed(0)} % |\n`);
  process.stdout.write(`first cut after the halving: ${firstCut ? ((firstCut.t - halvedAt) / 1000).toFixed(1) : '–'} s = ${firstCut ? ((firstCut.t - halvedAt) / 1000 / POLL_S).toFixed(1) : '–'} polling intervals\n`);
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((r) => child.once('exit', r)) : undefined)));
  if (ns) await deleteNamespace(c, ns);
  await db.drop();
  redis.disconnect();
  redisServer.kill('SIGTERM');
  await new Promise((r) => redisServer.once('exit', r));
  await rm(redisDir, { recursive: true, force: true });
}
