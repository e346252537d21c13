/**
 * The floor of the poll path's shape: what status polls through a proxy reach when the proxy and
 * the queue do nothing but forward and run the status script (no express, no token check, no rate
 * limits, no request ids, logs or metrics), against a bare Node http server, with the same client
 * as bench/queue/run.ts (undici, 64 keep-alive connections back to back). The real gateway and
 * queue cannot beat this ratio on the same machine; how close they come is what their own code
 * costs.
 *
 *   node_modules/.bin/node --conditions=source bench/queue/floor.ts [--fans 20000] [--seconds 8] [--rounds 2]
 *
 * Needs Redis: the test environment's (`npm run testenv up`) or REDIS_URL. Each server is its own
 * process; the queue it makes is PAUSED and dropped at the end.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { parseArgs } from 'node:util';
import { Pool, type Dispatcher } from 'undici';
import { Redis } from 'ioredis';
import { queueKeys } from '@ticketping/redis';
import { testEnv } from '@ticketping/testing';
import { scripts } from '../../services/queue/src/redis/lua/index.generated.ts';
import { SAMPLE_ENTRY } from './servers.ts';

const redisUrl = process.env.REDIS_URL ?? testEnv.redisUrl;
const role = process.env.FLOOR_ROLE;
const lua = (name: string) => scripts.find((script) => script.name === name)!.lua;
const lineKeys = (performanceId: string) => {
  const k = queueKeys(performanceId);
  return [k.config, k.stats, k.runtime, k.waiting, k.preQueue, k.active, k.admissions, k.outcomes, k.sequence, k.deadlines];
};
// The queue service's defaults: min/max poll, poll budget, grace (24 h: nobody is dropped), active window, line factor.
const TUNING = [1000, 30_000, 50, 86_400_000, 600_000, 0];

interface Served { port: number; close(): Promise<void> }

/** Listens on a free loopback port; `close` also closes whatever else the server uses. */
function listening(server: Server, alsoClose: () => Promise<unknown> = async () => undefined): Promise<Served> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    port: (server.address() as { port: number }).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((closed) => server.close(closed));
      await alsoClose();
    },
  })));
}

/** A queue that only runs the status script for a random fan of the line and answers its figures. */
async function nullQueue(performanceId: string): Promise<Served> {
  const redis = new Redis(redisUrl);
  const keys = lineKeys(performanceId);
  const fans = await redis.zrange(keys[3]!, 0, -1);
  const sha = String(await redis.script('LOAD', lua('entry')));
  return listening(createServer((_req, res) => {
    const fan = fans[Math.floor(Math.random() * fans.length)]!;
    void (redis.evalsha(sha, keys.length, ...keys, fan, 'poll', ...TUNING) as Promise<unknown[]>).then((reply) => {
      const body = JSON.stringify({ performanceId, status: reply[0], position: reply[1], ahead: reply[2], etaSeconds: reply[3], pollAfterMs: reply[4], queueToken: null, expiresAt: null, reason: null, opensAt: null });
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
    });
  }), async () => redis.disconnect());
}

/** A proxy that only forwards, through undici's dispatch, as the gateway does. */
function nullProxy(upstreamPort: number): Promise<Served> {
  const pool = new Pool(`http://127.0.0.1:${upstreamPort}`, { connections: 128 });
  return listening(createServer((req, res) => {
    const handler: Dispatcher.DispatchHandler = {
      onConnect() {},
      onHeaders(statusCode) {
        res.statusCode = statusCode;
        res.setHeader('content-type', 'application/json; charset=utf-8');
        return true;
      },
      onData: (chunk) => res.write(chunk),
      onComplete() { res.end(); },
      onError() {
        res.statusCode = 502;
        res.end();
      },
    };
    pool.dispatch({ path: req.url ?? '/', method: 'GET', headers: { 'x-internal-token': 'floor', 'x-user-id': 'fan', 'x-request-id': randomUUID() } }, handler);
  }), () => pool.close());
}

function bare(): Promise<Served> {
  return listening(createServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(SAMPLE_ENTRY); }));
}

if (role) {
  process.on('message', () => {
    const used = process.cpuUsage();
    process.send!(used.user + used.system);
  });
  const serve = { bare, queue: () => nullQueue(process.env.FLOOR_PERFORMANCE!), proxy: () => nullProxy(Number(process.env.FLOOR_UPSTREAM)) }[role]!;
  const served = await serve();
  // The benchmark disconnects when it is done (or gone): close everything, and the process ends.
  process.once('disconnect', () => void served.close());
  process.send!(served.port);
} else {
  const { values } = parseArgs({ options: { fans: { type: 'string', default: '20000' }, seconds: { type: 'string', default: '8' }, rounds: { type: 'string', default: '2' } } });
  const seconds = Number(values.seconds);
  const redis = new Redis(redisUrl);
  const performanceId = randomUUID();
  const keys = lineKeys(performanceId);
  await redis.eval(lua('createQueue'), 3, keys[0]!, keys[2]!, keys[1]!, 1, 60, 0, 0, 0, 'seed', 'commitment');
  await redis.hset(keys[0]!, 'state', 'PAUSED'); // the line stays as long as it is
  const fans = Array.from({ length: Number(values.fans) }, () => randomUUID());
  for (let i = 0; i < fans.length; i += 500) {
    await Promise.all(fans.slice(i, i + 500).map((fan) => redis.eval(lua('entry'), keys.length, ...keys, fan, 'enter', ...TUNING)));
  }

  const start = (childRole: string, env: Record<string, string> = {}) => {
    const child = fork(import.meta.filename, [], { execArgv: ['--conditions=source'], env: { ...process.env, ...env, FLOOR_ROLE: childRole } });
    return new Promise<{ child: ChildProcess; port: number }>((resolve) => child.once('message', (port) => resolve({ child, port: port as number })));
  };
  const cpuOf = (child: ChildProcess) => new Promise<number>((resolve) => {
    child.once('message', (micros) => resolve(micros as number));
    child.send('cpu');
  });
  const load = async (port: number, forSeconds: number) => {
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 64 });
    const until = Date.now() + forSeconds * 1000;
    let done = 0;
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (Date.now() < until) {
        const res = await pool.request({ path: `/api/v1/queues/${performanceId}/entries/me`, method: 'GET' });
        await res.body.dump();
        if (res.statusCode === 200) done++;
      }
    }));
    await pool.close();
    return done / forSeconds;
  };

  const servers = { bare: await start('bare'), queue: await start('queue', { FLOOR_PERFORMANCE: performanceId }) };
  const proxy = await start('proxy', { FLOOR_UPSTREAM: String(servers.queue.port) });
  for (let round = 0; round < Number(values.rounds); round++) {
    await load(servers.bare.port, 1); // warm-up, unmeasured
    const barePerSecond = await load(servers.bare.port, seconds);
    await load(proxy.port, 1);
    const before = await Promise.all([cpuOf(proxy.child), cpuOf(servers.queue.child)]);
    const started = Date.now();
    const perSecond = await load(proxy.port, seconds);
    const polls = perSecond * (Date.now() - started) / 1000;
    const after = await Promise.all([cpuOf(proxy.child), cpuOf(servers.queue.child)]);
    const [proxyMicros, queueMicros] = after.map((a, i) => ((a - before[i]!) / polls).toFixed(0));
    process.stdout.write(`bare node http ${barePerSecond.toFixed(0)} req/s; polls through a null proxy and a null queue ${perSecond.toFixed(0)}/s = ${(perSecond / barePerSecond).toFixed(2)} × bare; CPU per poll proxy ${proxyMicros} µs + queue ${queueMicros} µs\n`);
  }
  for (const { child } of [proxy, servers.queue, servers.bare]) {
    const ended = new Promise((resolve) => child.once('exit', resolve));
    child.disconnect();
    await ended;
  }
  await redis.del(...keys);
  await redis.quit();
}
