/**
 * The servers the benchmark measures, each in its own process (forked with a role argument), as
 * in production: the queue service, a bare Node http server answering the same JSON, and the
 * gateway in front of the queue. Each child sends `{ port, redisAddress }` when it listens.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { listen } from '@ticketping/http';
import { createRedis, type RedisClient } from '@ticketping/redis';

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
  queueToken: null, expiresAt: null, reason: null, opensAt: null,
});

const quiet = () => createLogger({ service: 'bench', level: 'warn', destination: new Writable({ write(_c, _e, done) { done(); } }) });

/** Names the connection so MONITOR can tell this process's commands apart, and returns its address. */
async function addressOf(redis: RedisClient, name: string): Promise<string> {
  await redis.client('SETNAME', name);
  return /addr=(\S+)/.exec(String(await redis.client('INFO')))?.[1] ?? '';
}

/** A listening child: its port, its Redis connection's address, and how to close all it opened. */
interface Served { port: number; redisAddress: string; close(): Promise<void> }

async function serveQueue(): Promise<Served> {
  const { loadQueueConfig } = await import('../../services/queue/src/config.ts');
  const { createService } = await import('../../services/queue/src/service.ts');
  const config = loadQueueConfig();
  const redis = createRedis({ url: config.REDIS_URL });
  const service = await createService({ config, logger: quiet(), metrics: createMetrics('queue'), redis });
  await service.start();
  const running = await listen(service.app, 0);
  return {
    port: running.port,
    redisAddress: await addressOf(redis, 'bench-queue'),
    close: async () => {
      await running.close(1000);
      await service.stop();
      redis.disconnect();
    },
  };
}

async function serveBare(): Promise<Served> {
  const server = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(SAMPLE_ENTRY); });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    redisAddress: '',
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function serveGateway(): Promise<Served> {
  const { loadGatewayConfig } = await import('../../services/gateway/src/config.ts');
  const { createService } = await import('../../services/gateway/src/service.ts');
  const config = loadGatewayConfig();
  const redis = createRedis({ url: config.REDIS_URL });
  const service = createService({ config, logger: quiet(), metrics: createMetrics('gateway'), redis });
  await service.start();
  const running = await listen(service.app, 0);
  return {
    port: running.port,
    redisAddress: await addressOf(redis, 'bench-gateway'),
    close: async () => {
      await running.close(1000);
      await service.stop();
      redis.disconnect();
    },
  };
}

export function startChild(role: 'queue' | 'bare' | 'gateway', env: Record<string, string>): Promise<Child> {
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
if (role === 'queue' || role === 'bare' || role === 'gateway') {
  process.on('message', (message) => {
    if (message !== 'cpu') return;
    const { user, system } = process.cpuUsage();
    process.send!({ cpuMicros: user + system });
  });
  const serve = { queue: serveQueue, bare: serveBare, gateway: serveGateway }[role];
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
