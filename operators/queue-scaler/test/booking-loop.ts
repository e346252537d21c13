/**
 * The admission loop against the real booking service, shared by the convergence test
 * (test/convergence.int.test.ts) and the bench (bench/operator/convergence.ts): booking
 * (services/booking/src/main.ts, its own process) on a Postgres database of its own with a
 * one-connection pool (DATABASE_POOL_MAX=1: its capacity is small and finite), the real queue
 * service (its own process) with fans in a paused line, the operator (its own process) with
 * admissionControl on booking's /metrics, and the test environment's control plane for the
 * QueueScaler. Everything runs on a redis-server of its own: the queue's admission loop must not
 * tick other suites' queues, nor theirs this one.
 *
 * A driver plays the admitted fans: every 250 ms it reads how many fans the queue admitted since
 * the last look and makes `requestsPerFan` booking requests for each (`GET /api/v1/orders`, one
 * query each through the one connection). Raising `requestsPerFan` mid-sale makes booking slow
 * down under the load the operator lets in: its capacity in admissions per minute falls by the
 * same factor. A sampler reads the QueueScaler's status every 500 ms.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createTestDatabase } from '@ticketping/db/testing';
import { eventually, testEnv } from '@ticketping/testing';
import { MIGRATIONS_DIRECTORY, SCHEMA } from '@ticketping/booking/migrate';
import {
  applyCrd, clients, createDeployment, createNamespace, createQueueScaler, deleteNamespace, freePort, operatorEnv, readQueueScaler, repoRoot,
  startOperator, type Clients, type OperatorProcess,
} from './support.ts';

const TOKEN = 'booking-loop-internal-token-0123456789';

export interface LoopOptions {
  /** Fans in line before the open. */
  fans: number;
  pollingIntervalSeconds: number;
  requestsPerFan: number;
  /** admissionControl without bookingMetricsUrl (the loop fills it in). */
  admissionControl: Record<string, unknown>;
  /** Where the services' stderr goes: the bench shows it, the test keeps it for a failure message. */
  inheritOutput?: boolean;
}

export interface Sample {
  /** ms since the room opened */
  t: number;
  rate: number;
  p95: number;
  message: string;
}

export interface BookingLoop {
  performanceId: string;
  clients: Clients;
  namespace: string;
  /** Booking requests each newly admitted fan makes from now on. */
  requestsPerFan: number;
  /** Status samples since the open (every 500 ms). */
  readonly samples: Sample[];
  /** ms since the room opened. */
  elapsed(): number;
  inFlight(): number;
  /** What the services wrote to stderr (when not inherited). */
  logs(): string;
  stop(): Promise<void>;
}

/** Starts everything, fills the line, opens the room once the operator's first rate is in force, and starts the driver and the sampler. */
export async function startBookingLoop(options: LoopOptions): Promise<BookingLoop> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const children: ChildProcess[] = [];
  let output = '';
  const run = (main: string, env: Record<string, string>): void => {
    const child = spawn(process.execPath, ['--conditions=source', path.join(repoRoot, main)], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'ignore', options.inheritOutput ? 'inherit' : 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => { output = (output + d.toString()).slice(-20_000); });
    children.push(child);
  };
  const ready = (url: string) => eventually(async () => (await fetch(url).catch(() => undefined))?.ok ?? false, 120_000, 250);
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };

  try {
    const redisPort = await freePort();
    const redisDir = await mkdtemp(path.join(os.tmpdir(), 'booking-loop-redis-'));
    const redisServer = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--dir', redisDir], { stdio: 'ignore' });
    cleanups.push(async () => {
      redisServer.kill('SIGTERM');
      if (redisServer.exitCode === null) await new Promise((r) => redisServer.once('exit', r));
      await rm(redisDir, { recursive: true, force: true });
    });
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    const redis = new Redis(redisUrl, { retryStrategy: () => 100, lazyConnect: false });
    redis.on('error', () => undefined);
    cleanups.push(async () => redis.disconnect());
    await eventually(async () => (await redis.ping().catch(() => '')) === 'PONG', 20_000, 100);

    const db = await createTestDatabase(testEnv.postgresUrl, [{ directory: MIGRATIONS_DIRECTORY, schema: SCHEMA }]);
    cleanups.push(() => db.drop());
    const c = clients();
    cleanups.push(async () => {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.all(children.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((r) => child.once('exit', r)) : undefined)));
    });

    const [queuePort, queueMgmt, bookingPort, bookingMgmt] = [await freePort(), await freePort(), await freePort(), await freePort()];
    run('services/queue/src/main.ts', {
      PORT: String(queuePort), MANAGEMENT_PORT: String(queueMgmt), REDIS_URL: redisUrl, INTERNAL_TOKEN: TOKEN, QUEUE_TICK_MS: '250',
      QUEUE_GRACE_SECONDS: '86400', QUEUE_MAX_POLL_MS: '3600000', QUEUE_REBUILD_INTERVAL_MS: '3600000', CATALOG_URL: 'http://127.0.0.1:9',
      QUEUE_POW_MAX_NUMBER: '0', // the line is filled by this loop; proof-of-work is not what it measures
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
    for (let i = 0; i < options.fans; i += 200) {
      await Promise.all(Array.from({ length: Math.min(200, options.fans - i) }, () => fetch(`${queueBase}/api/v1/queues/${performanceId}/entries`, { method: 'POST', headers: { ...headers, 'x-user-id': randomUUID() } })));
    }

    await applyCrd(c);
    const namespace = await createNamespace(c, 'qs-loop');
    cleanups.push(() => deleteNamespace(c, namespace));
    await createDeployment(c, namespace, 'booking');
    await createQueueScaler(c, namespace, 'booking', {
      scaleTargetRef: { name: 'booking' }, source: { metric: 'waiting', performanceId }, targetPerReplica: 1_000_000,
      pollingIntervalSeconds: options.pollingIntervalSeconds,
      admissionControl: { ...options.admissionControl, bookingMetricsUrl: `http://127.0.0.1:${bookingMgmt}/metrics` },
    });
    const operator: OperatorProcess = await startOperator('booking-loop', { ...operatorEnv(namespace, redisUrl), QUEUE_URL: queueBase, INTERNAL_TOKEN: TOKEN, LOG_LEVEL: 'warn' });
    cleanups.push(() => operator.stop());
    // open only once the operator's rate is in force: before it, the admins' ceiling (100,000/min)
    // would admit a burst that fills the queue's sliding minute and stalls admission for a minute
    await eventually(async () => (await redis.hget(`tp:{q:${performanceId}}:config`, 'operatorAdmitPerMinute')) !== null, 60_000, 100);
    await fetch(`${queueBase}/api/v1/queues/${performanceId}`, { method: 'PATCH', headers: admin, body: JSON.stringify({ state: 'OPEN' }) });

    const started = Date.now();
    let admittedSeen = 0;
    let inFlight = 0;
    const loop: BookingLoop = {
      performanceId, clients: c, namespace,
      requestsPerFan: options.requestsPerFan,
      samples: [],
      elapsed: () => Date.now() - started,
      inFlight: () => inFlight,
      logs: () => `${output}\n--- operator ---\n${operator.logs().slice(-20_000)}`,
      stop: stopAll,
    };
    const driver = setInterval(() => {
      void redis.hget(`tp:{q:${performanceId}}:stats`, 'admittedTotal').then((total) => {
        const admitted = Number(total ?? 0);
        const fresh = admitted - admittedSeen;
        admittedSeen = admitted;
        for (let i = 0; i < fresh * loop.requestsPerFan; i++) {
          inFlight++;
          void fetch(`http://127.0.0.1:${bookingPort}/api/v1/orders`, { headers: { 'x-internal-token': TOKEN, 'x-user-id': randomUUID() } })
            .then((res) => res.arrayBuffer()).catch(() => undefined).finally(() => { inFlight--; });
        }
      }).catch(() => undefined);
    }, 250);
    const sampler = setInterval(() => {
      void readQueueScaler(c, namespace, 'booking').then((qs) => {
        loop.samples.push({ t: Date.now() - started, rate: qs.status?.admitPerMinute ?? 0, p95: qs.status?.bookingP95Milliseconds ?? -1, message: qs.status?.admissionMessage ?? '' });
      }).catch(() => undefined);
    }, 500);
    // the driver and the sampler stop first, then the operator, the services, the namespace, the database, Redis
    cleanups.push(async () => { clearInterval(driver); clearInterval(sampler); });
    return loop;
  } catch (error) {
    await stopAll();
    throw error;
  }
}
