/**
 * Proof-of-work at entry (issue 14): how long a fan's browser takes to solve the entry's challenge
 * at the default difficulty, and what verifying one costs the waiting room.
 *
 *   node_modules/.bin/node --conditions=source bench/pow/run.ts [--solves 40] [--verifications 5000]
 *       [--max-number <QUEUE_POW_MAX_NUMBER's default>]
 *
 * Solving: headless Chromium runs the web app's own worker (services/web/dist, built when stale)
 * on challenges issued by the queue's own code; each time is from `new Worker` to the answer, what
 * the waiting-room page waits. Verifying: the queue's `spend` (ALTCHA verification, account,
 * performance and expiry checks, the single-use SET NX in Redis) one at a time, CPU of this
 * process per verification; and the ALTCHA check alone, the library's and the queue's
 * (packages/proof-of-work/src/verify.ts). Needs Redis (the test environment's).
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { verifySolution } from 'altcha-lib/v1';
import { chromium } from 'playwright-core';
import { createRedis, queueKeys } from '@ticketping/redis';
import { solveProofOfWork, testEnv } from '@ticketping/testing';
import { loadConfig as loadQueueConfig } from '@ticketping/queue/config';
import { createProofOfWork } from '@ticketping/queue/proof-of-work';
import { verifySolutionSync } from '@ticketping/proof-of-work';
import { createQueueStore } from '@ticketping/queue/queue-store';
import { tuningFrom } from '@ticketping/queue/service';
import { buildPagesIfStale } from '../../services/web/test/build.ts';
import { percentile } from '../queue/load.ts';

const config = loadQueueConfig({ INTERNAL_TOKEN: 'bench-internal-token-0123456789', LOG_LEVEL: 'silent' });
const { values: args } = parseArgs({
  options: {
    solves: { type: 'string', default: '40' },
    verifications: { type: 'string', default: '5000' },
    'max-number': { type: 'string', default: String(config.QUEUE_POW_MAX_NUMBER) },
  },
});
const solves = Number(args.solves);
const verifications = Number(args.verifications);
const maxNumber = Number(args['max-number']);
const print = (line = '') => process.stdout.write(`${line}\n`);
const load = () => os.loadavg()[0]!.toFixed(1);

const redis = createRedis({ url: process.env.REDIS_URL ?? testEnv.redisUrl });
const store = createQueueStore(redis, tuningFrom(config));
const settings = { hmacKey: 'bench-pow-key-0123456789abcdef0123456789', ttlSeconds: 3600, rangeStep: 1_000_000, rangeWindowMs: 60_000, maxDoublings: 0 };
const pow = createProofOfWork(redis, { ...settings, defaultMaxNumber: maxNumber });
const performanceId = randomUUID();
await store.create(performanceId, { capacity: 1, admitPerMinute: 1, opensAtMs: 0, closesAtMs: 0, totalSeats: 0 });

// the built pages, served as the gateway would (same origin, so the worker may load)
const dist = await buildPagesIfStale();
const workerFile = readdirSync(path.join(dist, 'assets')).find((f) => /^solver\.worker-.*\.js$/.test(f));
if (!workerFile) throw new Error('no solver worker in services/web/dist/assets');
const server = createServer((req, res) => {
  if (req.url === `/assets/${workerFile}`) {
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(path.join(dist, 'assets', workerFile)));
  } else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>pow</title>');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
const browser = await chromium.launch({ executablePath: process.env.TICKETPING_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });

try {
  print(`proof-of-work bench: ${solves} solves in headless Chromium at maxnumber ${maxNumber}, ${verifications} verifications`);
  print(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, Chromium ${browser.version()}, ${new Date().toISOString()}, load average ${load()}`);
  const page = await browser.newPage();
  await page.goto(origin);
  const times: number[] = [];
  const tried: number[] = [];
  for (let i = 0; i < solves; i++) {
    const userId = randomUUID();
    const challenge = await pow.challenge(performanceId, userId, `10.${i % 250}.0.1`);
    const solved = await page.evaluate(({ url, challenge }) => new Promise<{ ms: number; number: number } | null>((resolve) => {
      const started = performance.now();
      const worker = new Worker(url, { type: 'module' });
      worker.onmessage = (event: MessageEvent<{ type: string; number?: number }>) => {
        if (event.data.type === 'progress') return;
        worker.terminate();
        resolve(event.data.type === 'solved' ? { ms: performance.now() - started, number: event.data.number! } : null);
      };
      worker.postMessage(challenge);
    }), { url: `${origin}/assets/${workerFile}`, challenge });
    if (!solved) throw new Error('the worker found no solution');
    await pow.spend(performanceId, userId, { algorithm: 'SHA-256', challenge: challenge.challenge, number: solved.number, salt: challenge.salt, signature: challenge.signature });
    times.push(solved.ms);
    tried.push(solved.number + 1);
  }
  const sorted = [...times].sort((a, b) => a - b);
  print(`solve in Chromium (worker start to answer): median ${percentile(sorted, 50).toFixed(0)} ms, p95 ${percentile(sorted, 95).toFixed(0)} ms, min ${sorted[0]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms; ` +
    `${(tried.reduce((a, b) => a + b, 0) / times.reduce((a, b) => a + b, 0) * 1000).toFixed(0)} hashes/s; every solution accepted by the queue; load average ${load()}`);

  // verification: solved in Node at a small difficulty (verifying costs the same at any difficulty)
  const easy = createProofOfWork(redis, { ...settings, defaultMaxNumber: 1000 });
  const solved = [];
  for (let i = 0; i < verifications; i++) {
    const userId = randomUUID();
    solved.push({ userId, solution: solveProofOfWork(await easy.challenge(performanceId, userId, '10.0.0.1')) });
  }
  let cpu = process.cpuUsage();
  let wall = performance.now();
  for (const { solution } of solved) if (!(await verifySolution(solution, settings.hmacKey, false))) throw new Error('not verified');
  let used = process.cpuUsage(cpu);
  print(`ALTCHA check alone, altcha-lib's verifySolution (WebCrypto): ${((used.user + used.system) / verifications).toFixed(1)} µs CPU each (${((performance.now() - wall) * 1000 / verifications).toFixed(1)} µs wall); load average ${load()}`);
  cpu = process.cpuUsage();
  wall = performance.now();
  for (const { solution } of solved) if (!verifySolutionSync(solution, settings.hmacKey)) throw new Error('not verified');
  used = process.cpuUsage(cpu);
  print(`ALTCHA check alone, the queue's node:crypto one: ${((used.user + used.system) / verifications).toFixed(1)} µs CPU each (${((performance.now() - wall) * 1000 / verifications).toFixed(1)} µs wall); load average ${load()}`);
  cpu = process.cpuUsage();
  wall = performance.now();
  for (const { userId, solution } of solved) await easy.spend(performanceId, userId, solution);
  used = process.cpuUsage(cpu);
  print(`queue's spend (verification + bindings + SET NX in Redis, one at a time): ${((used.user + used.system) / verifications).toFixed(1)} µs CPU each in the queue process (${((performance.now() - wall) * 1000 / verifications).toFixed(0)} µs wall, Redis round trip included); load average ${load()}`);
} catch (error) {
  process.exitCode = 1;
  print(`FAILED: ${(error as Error).stack ?? String(error)}`);
} finally {
  await browser.close();
  server.close();
  // the spent marks expire by themselves; the queue's keys go now
  await redis.del(...Object.values(queueKeys(performanceId)));
  await redis.quit();
}
