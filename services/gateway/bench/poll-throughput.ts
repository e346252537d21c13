/**
 * How much of a bare Node http server's throughput do waiting-room status polls keep when they go
 * through the gateway (token check, two Redis rate-limit counts, proxy to the service)?
 *
 *   node --conditions=source services/gateway/bench/poll-throughput.ts [seconds=10] [connections=64]
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
import { listen } from '@ticketping/http';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { createRedis } from '@ticketping/redis';
import { randomPrefix, testEnv } from '@ticketping/testing';
import { loadGatewayConfig } from '../src/config.ts';
import { createService } from '../src/service.ts';

const ENTRY = JSON.stringify({ performanceId: randomUUID(), status: 'WAITING', position: 1234, ahead: 1233, etaSeconds: 90, pollAfterMs: 2000, queueToken: null, expiresAt: null });
const role = process.env.BENCH_ROLE ?? 'main';
const args = process.argv.slice(2);

async function serveBare(): Promise<number> {
  const server = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(ENTRY); });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

async function serveGateway(): Promise<number> {
  const config = loadGatewayConfig({
    // Limits high enough never to refuse, but still counted in Redis (set them to 0 to compare without).
    RATE_LIMIT_POLL_PER_USER: '1000000000', RATE_LIMIT_POLL_PER_IP: '1000000000',
    ...process.env as Record<string, string>,
    REDIS_KEY_PREFIX: randomPrefix('bench'), WEB_DIST: '/nonexistent', LOG_LEVEL: 'warn',
  });
  const logger = createLogger({ service: 'gateway', level: 'warn', destination: new Writable({ write(_c, _e, done) { done(); } }) });
  const service = createService({ config, logger, metrics: createMetrics('gateway'), redis: createRedis({ url: config.REDIS_URL }) });
  return (await listen(service.app, 0)).port;
}

function start(childRole: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number }> {
  // BENCH_PROFILE=1 writes a CPU profile of the gateway process (.cpuprofile in the working directory).
  const profile = childRole === 'gateway' && process.env.BENCH_PROFILE ? ['--cpu-prof'] : [];
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

if (role !== 'main') process.once('disconnect', () => process.exit(0)); // never outlive the benchmark
if (role === 'bare') process.send!(await serveBare());
else if (role === 'gateway') {
  process.once('SIGINT', () => process.exit(0)); // exits cleanly so --cpu-prof writes its profile
  process.send!(await serveGateway());
}
else {
  const seconds = Number(args[0] ?? 10);
  const connections = Number(args[1] ?? 64);
  const key = await generateSigningKey('bench');
  const signer = await createSigner('ticketping-auth', key);
  const tokens = await Promise.all(Array.from({ length: 500 }, async () => `Bearer ${(await signer.sign({ subject: randomUUID(), audience: 'ticketping-api', expiresInSeconds: 3600, claims: { role: 'USER' } })).token}`));
  const performanceId = randomUUID();
  const pollPath = () => `/api/v1/queues/${performanceId}/entries/me`;
  let next = 0;
  const asFan = () => ({ authorization: tokens[next++ % tokens.length]! });

  const bare = await start('bare');
  const baseline = await load(bare.port, pollPath, () => ({}), seconds, connections);
  process.stdout.write(`bare node http:     ${baseline.toFixed(0)} req/s\n`);
  const redisUrl = process.env.REDIS_URL ?? testEnv.redisUrl;
  const gateway = await start('gateway', { INTERNAL_TOKEN: 'bench-internal-token', QUEUE_URL: `http://127.0.0.1:${bare.port}`, AUTH_JWKS: JSON.stringify(publicJwks([key])), REDIS_URL: redisUrl });
  const through = await load(gateway.port, pollPath, asFan, seconds, connections);
  process.stdout.write(`through the gateway: ${through.toFixed(0)} req/s (${(through / baseline).toFixed(2)}× bare; 500 fans, two rate-limit counts each)\n`);
  bare.child.kill();
  gateway.child.kill('SIGINT');
}
