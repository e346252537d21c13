/**
 * Redis load of the admission ticks with 1 and 10 queue replicas, each its own process
 * (services/queue/src/main.ts), against a redis-server of its own (so nothing else counts): 20
 * open queues, QUEUE_TICK_MS 500, 10 s measured after a warm-up, `INFO commandstats` summed.
 * Both ticker modes: `all` (every replica ticks every queue, the old loop) and `ring` (one
 * ticker per queue, services/queue/src/admission/ticker-ring.ts).
 *
 *   node --conditions=source bench/queue/tickers.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '@ticketping/http/free-port';
import { eventually } from '@ticketping/testing';

const root = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'bench-internal-token-0123456789';
const QUEUES = 20;
const MEASURE_MS = 10_000;

async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tickers-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { retryStrategy: () => 100 });
  probe.on('error', () => undefined);
  await eventually(async () => (await probe.ping()) === 'PONG', 10_000, 100);
  probe.disconnect();
  return { url, async stop() { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); await rm(dir, { recursive: true, force: true }); } };
}

async function startQueue(redisUrl: string, tickers: string): Promise<{ base: string; child: ChildProcess }> {
  const [port, managementPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--conditions=source', path.join(root, 'services/queue/src/main.ts')], {
    env: {
      PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), MANAGEMENT_PORT: String(managementPort), REDIS_URL: redisUrl,
      INTERNAL_TOKEN: TOKEN, QUEUE_TICK_MS: '500', QUEUE_TICKERS: tickers, QUEUE_REBUILD_INTERVAL_MS: '3600000', CATALOG_URL: 'http://127.0.0.1:9',
    },
    stdio: 'ignore',
  });
  await eventually(async () => (await fetch(`http://127.0.0.1:${managementPort}/readyz`).catch(() => undefined))?.ok ?? false, 120_000, 250);
  return { base: `http://127.0.0.1:${port}`, child };
}

async function measure(replicas: number, tickers: string): Promise<{ total: number; evalsha: number }> {
  const redis = await startRedis();
  const processes = await Promise.all(Array.from({ length: replicas }, () => startQueue(redis.url, tickers)));
  try {
    for (let i = 0; i < QUEUES; i++) {
      const res = await fetch(`${processes[0]!.base}/internal/v1/queues/${randomUUID()}`, {
        method: 'PUT', headers: { 'content-type': 'application/json', 'x-internal-token': TOKEN }, body: JSON.stringify({ capacity: 100, admitPerMinute: 600 }),
      });
      if (res.status !== 201) throw new Error(`queue create answered ${res.status}`);
    }
    const client = new Redis(redis.url);
    await new Promise((r) => setTimeout(r, 3000)); // every replica ticking (and, for the ring, in it)
    await client.config('RESETSTAT');
    await new Promise((r) => setTimeout(r, MEASURE_MS));
    const stats = String(await client.info('commandstats'));
    client.disconnect();
    let total = 0;
    let evalsha = 0;
    for (const match of stats.matchAll(/cmdstat_(\w+):calls=(\d+)/g)) {
      if (match[1] === 'info' || match[1] === 'config') continue;
      total += Number(match[2]);
      if (match[1] === 'evalsha') evalsha += Number(match[2]);
    }
    return { total: total / (MEASURE_MS / 1000), evalsha: evalsha / (MEASURE_MS / 1000) };
  } finally {
    for (const p of processes) p.child.kill('SIGTERM');
    await Promise.all(processes.map((p) => (p.child.exitCode === null ? new Promise((r) => p.child.once('exit', r)) : undefined)));
    await redis.stop();
  }
}

process.stdout.write(`load before: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
process.stdout.write('| tickers | replicas | Redis commands/s | admission scripts/s (EVALSHA) |\n|---|---|---|---|\n');
for (const tickers of ['all', 'ring']) {
  for (const replicas of [1, 10]) {
    const { total, evalsha } = await measure(replicas, tickers);
    process.stdout.write(`| ${tickers} | ${replicas} | ${total.toFixed(0)} | ${evalsha.toFixed(1)} |\n`);
  }
}
process.stdout.write(`load after: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
