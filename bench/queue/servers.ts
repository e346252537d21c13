/**
 * The servers the benchmark measures, each in its own process (forked with a role argument), as
 * in production: the queue service, a bare Node http server answering the same JSON, and the
 * gateway in front of the queue. For floor.ts also the shapes without our code: a proxy that only
 * forwards (each poll on its own, or each turn's polls in one request) and a queue that only runs
 * the status script. Each child sends `{ port, redisAddress }` when it listens.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import { createLogger } from '@ticketping/logger';
import { createRedis, queueKeys, scriptArgs, scriptKeys, type RedisClient } from '@ticketping/redis';
import type { DefinedService, ServiceBaseConfig } from '@ticketping/runtime';
import { entry, scripts } from '@ticketping/queue/lua';
import type { QueueTuning } from '@ticketping/queue/queue-store';

export interface Child {
  child: ChildProcess;
  port: number;
  redisAddress: string;
  /** CPU time the process has used so far (user + system, µs): a cost per request that other load on the machine does not skew. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

/** The same body a waiting fan's poll returns (same fields, same size class). */
export const SAMPLE_ENTRY = JSON.stringify({
  performanceId: '6f1c1a52-2d8e-4c34-9a53-2b1f8c1f4a10', status: 'WAITING', position: 51234, ahead: 51233, etaSeconds: 3075, pollAfterMs: 102466,
  queueToken: null, expiresAt: null, reason: null, opensAt: null, lane: null,
  odds: { outlook: 'UNLIKELY', seatsLeft: 100000, peopleAhead: 51233, seatsPerOrder: 4, seatsPerOrderMeasured: false, orderShare: 1, expectedSeatsBeforeYou: 204932, asOf: '2026-12-07T06:00:00.000Z' },
});

const quiet = () => createLogger({ service: 'bench', level: 'warn', destination: new Writable({ write(_c, _e, done) { done(); } }) });

/** Names the connection so MONITOR can tell this process's commands apart, and returns its address. */
async function addressOf(redis: RedisClient, name: string): Promise<string> {
  await redis.client('SETNAME', name);
  return /addr=(\S+)/.exec(String(await redis.client('INFO')))?.[1] ?? '';
}

/** A listening child: its port, its Redis connection's address, and how to close all it opened. */
interface Served { port: number; redisAddress: string; close(): Promise<void> }

/** Listens on a free loopback port; `close` ends its connections, then whatever else it uses. */
function closeable(server: Server, alsoClose: () => Promise<unknown> = async () => undefined): Promise<Served> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    port: (server.address() as { port: number }).port,
    redisAddress: '',
    close: async () => {
      server.closeAllConnections();
      await new Promise((closed) => server.close(closed));
      await alsoClose();
    },
  })));
}

/** One of our services, started from its main.ts's definition (its own Redis client, no Kafka), on free ports. */
async function serveService<C extends ServiceBaseConfig & { KAFKA_BROKERS?: string[] | undefined }>(name: string, definition: DefinedService<C>): Promise<Served> {
  // The bench measures polls: events would only add a consumer's work to the figures.
  const config = { ...definition.loadConfig(), KAFKA_BROKERS: undefined };
  const running = await definition.start({ config, logger: quiet(), listen: { port: 0, managementPort: 0, host: '127.0.0.1' } });
  const [redis] = running.redisClients;
  return {
    port: running.port,
    redisAddress: redis ? await addressOf(redis, `bench-${name}`) : '',
    close: () => running.stop(),
  };
}

async function serveQueue(): Promise<Served> {
  const { definition } = await import('@ticketping/queue/main');
  return serveService('queue', definition);
}

function serveBare(): Promise<Served> {
  const server = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(SAMPLE_ENTRY); });
  server.keepAliveTimeout = 65_000;
  return closeable(server);
}

async function serveGateway(): Promise<Served> {
  const { definition } = await import('@ticketping/gateway/main');
  return serveService('gateway', definition);
}

/** The queue's own tuning defaults (grace 24 h, as run.ts sets it: nobody is dropped). */
export async function queueTuning(): Promise<QueueTuning> {
  const { loadConfig } = await import('@ticketping/queue/config');
  const { tuningFrom } = await import('@ticketping/queue/service');
  return tuningFrom(loadConfig({ INTERNAL_TOKEN: 'bench-internal-token-0123456789', QUEUE_GRACE_SECONDS: '86400' }));
}

/** The entry script's KEYS then ARGV for one fan, by the names its header gives them. */
export function entryCall(performanceId: string, tuning: QueueTuning, userId: string, mode: 'enter' | 'poll'): [number, ...(string | number)[]] {
  const keys = scriptKeys(entry, queueKeys(performanceId));
  return [keys.length, ...keys, ...scriptArgs(entry, { ...tuning, userId, mode, emailVerified: 1, laneWanted: '' })];
}

export const luaOf = (name: string): string => scripts.find((script) => script.name === name)!.lua;

/** floor.ts: a queue that only runs the status script for a random fan of FLOOR_PERFORMANCE's line. */
async function serveFloorQueue(): Promise<Served> {
  const redis = createRedis({ url: process.env.REDIS_URL! });
  const performanceId = process.env.FLOOR_PERFORMANCE!;
  const fans = await redis.zrange(queueKeys(performanceId).waiting, 0, -1);
  const sha = String(await redis.script('LOAD', luaOf('entry')));
  const tuning = await queueTuning();
  return closeable(createServer((_req, res) => {
    const fan = fans[Math.floor(Math.random() * fans.length)]!;
    void (redis.evalsha(sha, ...entryCall(performanceId, tuning, fan, 'poll')) as Promise<unknown[]>).then((reply) => {
      const body = JSON.stringify({ performanceId, status: reply[0], position: reply[1], ahead: reply[2], etaSeconds: reply[3], pollAfterMs: reply[4], queueToken: null, expiresAt: null, reason: null, opensAt: null });
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
    });
  }), async () => redis.disconnect());
}

/** floor.ts: a proxy that only forwards to FLOOR_UPSTREAM, through undici's dispatch as the gateway does. */
function serveFloorProxy(): Promise<Served> {
  const pool = new Pool(`http://127.0.0.1:${process.env.FLOOR_UPSTREAM}`, { connections: 128 });
  return closeable(createServer((req, res) => {
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

/** floor.ts: the same, for a batch of polls in one request (as the gateway sends them), in one pipeline to Redis. */
async function serveFloorBatchQueue(): Promise<Served> {
  const redis = createRedis({ url: process.env.REDIS_URL! });
  const performanceId = process.env.FLOOR_PERFORMANCE!;
  const fans = await redis.zrange(queueKeys(performanceId).waiting, 0, -1);
  const sha = String(await redis.script('LOAD', luaOf('entry')));
  const tuning = await queueTuning();
  return closeable(createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => {
      const users = JSON.parse(text) as string[];
      const pipeline = redis.pipeline();
      for (let i = 0; i < users.length; i++) pipeline.evalsha(sha, ...entryCall(performanceId, tuning, fans[Math.floor(Math.random() * fans.length)]!, 'poll'));
      void pipeline.exec().then((replies) => {
        const out = replies!.map(([, reply]) => {
          const r = reply as unknown[];
          return { performanceId, status: r[0], position: r[1], ahead: r[2], etaSeconds: r[3], pollAfterMs: r[4], queueToken: null, expiresAt: null, reason: null, opensAt: null };
        });
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(out));
      });
    });
  }), async () => redis.disconnect());
}

/** floor.ts: a proxy that sends the polls of one event-loop turn to FLOOR_UPSTREAM in one request, as the gateway does. */
function serveFloorBatchProxy(): Promise<Served> {
  const pool = new Pool(`http://127.0.0.1:${process.env.FLOOR_UPSTREAM}`, { connections: 16 });
  let pending: ServerResponse[] = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    void pool.request({ path: '/batch', method: 'POST', headers: { 'content-type': 'application/json', 'x-internal-token': 'floor' }, body: JSON.stringify(batch.map(() => 'fan')) }).then(async (answer) => {
      const items = (await answer.body.json()) as unknown[];
      for (let i = 0; i < batch.length; i++) batch[i]!.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(items[i]));
    });
  };
  return closeable(createServer((_req, res) => {
    if (pending.push(res) === 1) setImmediate(flush);
  }), () => pool.close());
}

const SERVERS = { queue: serveQueue, bare: serveBare, gateway: serveGateway, 'floor-queue': serveFloorQueue, 'floor-proxy': serveFloorProxy, 'floor-batch-queue': serveFloorBatchQueue, 'floor-batch-proxy': serveFloorBatchProxy };
export type Role = keyof typeof SERVERS;

export function startChild(role: Role, env: Record<string, string>): Promise<Child> {
  // BENCH_PROFILE=<role> writes a CPU profile of that process (.cpuprofile in the working directory);
  // BENCH_TRACE_GC=<role> prints its garbage collections
  const profile = process.env.BENCH_PROFILE === role ? ['--cpu-prof'] : process.env.BENCH_TRACE_GC === role ? ['--trace-gc'] : [];
  const child = fork(import.meta.filename, [role], { execArgv: ['--conditions=source', ...profile], env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => {
      const { port, redisAddress } = message as { port: number; redisAddress: string };
      resolve({
        child, port, redisAddress,
        cpuMicros: () => new Promise<number>((answer) => {
          child.once('message', (reply) => answer((reply as { cpuMicros: number }).cpuMicros));
          child.send('cpu');
        }),
        // SIGTERM: the child closes what it opened and ends; SIGKILL only if it has not after 10 s
        stop: () => new Promise<void>((done) => {
          const stuck = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => { clearTimeout(stuck); done(); });
          child.kill('SIGTERM');
        }),
      });
    });
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}

const role = process.argv[2];
if (role !== undefined && role in SERVERS) {
  process.on('message', (message) => {
    if (message !== 'cpu') return;
    const { user, system } = process.cpuUsage();
    process.send!({ cpuMicros: user + system });
  });
  const serve = SERVERS[role as Role];
  const { close, ...listening } = await serve();
  // Asked to stop, or the benchmark is gone: close everything, and the event loop ends the process.
  let closing = false;
  const end = () => {
    if (closing) return;
    closing = true;
    if (process.connected) process.disconnect();
    void close();
  };
  process.once('SIGTERM', end);
  process.once('disconnect', end); // never outlive the benchmark
  process.send!(listening);
}
