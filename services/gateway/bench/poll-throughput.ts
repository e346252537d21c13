/**
 * How much of a bare Node http server's throughput do waiting-room status polls keep when they go
 * through the gateway (token check, both rate limits counted, batched to the service)?
 *
 *   node --conditions=source services/gateway/bench/poll-throughput.ts [seconds=10] [connections=64] [fans=500]
 *
 * Each server runs in its own process; the load generator is this process (undici, keep-alive).
 * Needs Redis: the test environment's (`npm run testenv up`) or REDIS_URL.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Pool } from 'undici';
import { createSigner, generateSigningKey, publicJwks } from '@ticketping/auth-tokens';
import { createHttpApp, listen } from '@ticketping/http';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { createRedis } from '@ticketping/redis';
import { initTracing, traceFields } from '@ticketping/telemetry';
import { randomPrefix, testEnv } from '@ticketping/testing';
import { loadConfig } from '../src/config.ts';
import { createService } from '../src/service.ts';

const ENTRY = JSON.stringify({ performanceId: randomUUID(), status: 'WAITING', position: 1234, ahead: 1233, etaSeconds: 90, pollAfterMs: 2000, queueToken: null, expiresAt: null });
const role = process.env.BENCH_ROLE ?? 'main';
const args = process.argv.slice(2);

interface Served { port: number; close(): Promise<void> }

/** Answers a poll with the entry, and the gateway's batch of polls with one entry each (as the queue would). */
async function serveBare(): Promise<Served> {
  const server = createServer((req, res) => {
    if (req.method !== 'POST') return void res.writeHead(200, { 'content-type': 'application/json' }).end(ENTRY);
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => {
      const { polls } = JSON.parse(body) as { polls: unknown[] };
      const answer = `{"answers":[${polls.map(() => `{"status":200,"headers":{"cache-control":"no-store"},"body":${ENTRY}}`).join(',')}]}`;
      res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** The same answer from an app on @ticketping/http's createHttpApp: the floor every service shares. */
async function serveHttpApp(): Promise<Served> {
  const logger = createLogger({ service: 'app', level: 'warn', destination: new Writable({ write(_c, _e, done) { done(); } }) });
  const app = createHttpApp({ logger, metrics: createMetrics('app'), routes: (r) => { r.get('/api/v1/queues/:performanceId/entries/me', (_req, res) => { res.type('json').send(ENTRY); }); } });
  const running = await listen(app, 0);
  return { port: running.port, close: () => running.close(1000) };
}

async function serveGateway(): Promise<Served> {
  const config = loadConfig({
    // Limits high enough never to refuse, still counted (locally: a fan never reaches a tenth of them; 0 turns them off).
    RATE_LIMIT_POLL_PER_USER: '1000000000', RATE_LIMIT_POLL_PER_IP: '1000000000',
    ...process.env as Record<string, string>,
    REDIS_KEY_PREFIX: randomPrefix('bench'), WEB_DIST: '/nonexistent', LOG_LEVEL: 'warn',
  });
  initTracing({ serviceName: 'gateway' }); // as main.ts does: spans exist (trace ids in logs), no export
  const logger = createLogger({ service: 'gateway', level: 'warn', mixin: traceFields, destination: new Writable({ write(_c, _e, done) { done(); } }) });
  const redis = createRedis({ url: config.REDIS_URL });
  const service = createService({ config, logger, metrics: createMetrics('gateway'), redis });
  const running = await listen(service.app, 0);
  return {
    port: running.port,
    close: async () => {
      await running.close(1000);
      await service.stop();
      redis.disconnect();
    },
  };
}

/** CPU microseconds a child process has used so far. */
function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (usage) => resolve((usage as NodeJS.CpuUsage).user + (usage as NodeJS.CpuUsage).system));
    child.send('cpu');
  });
}

/** Requests per second, and CPU microseconds per request spent by each of `servers`. */
async function measure(servers: ChildProcess[], run: () => Promise<number>): Promise<{ perSecond: number; cpuMicros: number[] }> {
  await run(); // warm-up, unmeasured: compiled code, filled token cache, open connections
  const before = await Promise.all(servers.map(cpuOf));
  const started = Date.now();
  const perSecond = await run();
  const requests = perSecond * (Date.now() - started) / 1000;
  const after = await Promise.all(servers.map(cpuOf));
  return { perSecond, cpuMicros: after.map((a, i) => (a - before[i]!) / requests) };
}

function start(childRole: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number }> {
  // BENCH_PROFILE=gateway (or bare, app) writes a CPU profile of that process (.cpuprofile in the working
  // directory); BENCH_TRACE_GC=gateway prints its garbage collections.
  const profile = childRole === process.env.BENCH_PROFILE ? ['--cpu-prof'] : childRole === process.env.BENCH_TRACE_GC ? ['--trace-gc'] : [];
  const child = fork(import.meta.filename, [], { execArgv: ['--conditions=source', ...profile], env: { ...process.env, ...env, BENCH_ROLE: childRole } });
  return new Promise((resolve, reject) => {
    child.once('message', (port) => resolve({ child, port: port as number }));
    child.once('exit', (code) => reject(new Error(`${childRole} exited with ${code}`)));
  });
}

async function load(port: number, path: () => string, headers: () => Record<string, string>, seconds: number, connections: number): Promise<number> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections });
  const until = Date.now() + seconds * 1000;
  let done = 0;
  let failed = 0;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (Date.now() < until) {
      const res = await pool.request({ path: path(), method: 'GET', headers: headers() });
      await res.body.dump();
      if (res.statusCode === 200) done++;
      else failed++;
    }
  }));
  await pool.close();
  if (failed) process.stdout.write(`  (${failed} non-200 answers)\n`);
  return done / seconds;
}

const servers: Record<string, () => Promise<Served>> = { bare: serveBare, app: serveHttpApp, gateway: serveGateway };
if (role !== 'main') {
  const onCpuAsked = () => process.send!(process.cpuUsage()); // CPU time used so far, on request
  process.on('message', onCpuAsked);
  const served = await servers[role]!();
  // Asked to stop, or the benchmark is gone: close what it opened and let the event loop end (so
  // --cpu-prof writes its profile).
  const end = () => {
    process.off('message', onCpuAsked);
    if (process.connected) process.disconnect();
    void served.close();
  };
  process.once('SIGINT', end);
  process.once('disconnect', end); // never outlive the benchmark
  process.send!(served.port);
} else {
  const seconds = Number(args[0] ?? 10);
  const connections = Number(args[1] ?? 64);
  const fans = Number(args[2] ?? 500);
  const key = await generateSigningKey('bench');
  const signer = await createSigner('ticketping-auth', key);
  const tokens = await Promise.all(Array.from({ length: fans }, async () => `Bearer ${(await signer.sign({ subject: randomUUID(), audience: 'ticketping-api', expiresInSeconds: 3600, claims: { role: 'USER' } })).token}`));
  const performanceId = randomUUID();
  const pollPath = () => `/api/v1/queues/${performanceId}/entries/me`;
  let next = 0;
  const asFan = () => ({ authorization: tokens[next++ % tokens.length]! });

  const bare = await start('bare');
  const baseline = await measure([bare.child], () => load(bare.port, pollPath, () => ({}), seconds, connections));
  process.stdout.write(`bare node http:      ${baseline.perSecond.toFixed(0)} req/s, ${baseline.cpuMicros[0]!.toFixed(0)} µs CPU per request\n`);
  const app = await start('app');
  const floor = await measure([app.child], () => load(app.port, pollPath, () => ({}), seconds, connections));
  process.stdout.write(`createHttpApp alone: ${floor.perSecond.toFixed(0)} req/s, ${floor.cpuMicros[0]!.toFixed(0)} µs CPU per request\n`);
  app.child.kill('SIGINT');
  const redisUrl = process.env.REDIS_URL ?? testEnv.redisUrl;
  const gateway = await start('gateway', { INTERNAL_TOKEN: 'bench-internal-token', QUEUE_URL: `http://127.0.0.1:${bare.port}`, AUTH_JWKS: JSON.stringify(publicJwks([key])), REDIS_URL: redisUrl });
  // Every fan polls once before anything is measured, so each token is verified and cached (as in a
  // line, where a fan's first request verifies it and the following polls find it).
  const primer = new Pool(`http://127.0.0.1:${gateway.port}`, { connections });
  for (let i = 0; i < fans; i += connections) {
    await Promise.all(tokens.slice(i, i + connections).map(async (authorization) => (await primer.request({ path: pollPath(), method: 'GET', headers: { authorization } })).body.dump()));
  }
  await primer.close();
  const through = await measure([gateway.child, bare.child], () => load(gateway.port, pollPath, asFan, seconds, connections));
  const [gatewayCpu, upstreamCpu] = through.cpuMicros as [number, number];
  process.stdout.write(`through the gateway: ${through.perSecond.toFixed(0)} req/s (${(through.perSecond / baseline.perSecond).toFixed(2)}× bare), gateway ${gatewayCpu.toFixed(0)} µs + service ${upstreamCpu.toFixed(0)} µs CPU per request\n`);
  // On 2 dedicated cores the gateway and the service share them; the load generator runs elsewhere.
  const projected = 2e6 / (gatewayCpu + upstreamCpu) / (2e6 / baseline.cpuMicros[0]!);
  process.stdout.write(`CPU-bound projection on 2 cores: ${projected.toFixed(2)}× bare (${fans} fans, both rate limits counted)\n`);
  bare.child.kill('SIGINT');
  gateway.child.kill('SIGINT');
}
