/**
 * Stand-in services for gateway tests: small real express apps built with createHttpApp that
 * refuse calls without the internal token and echo what reached them.
 */
import { connect, createServer, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { createSigner, generateSigningKey, publicJwks, type PrivateJwk, type TokenSigner } from '@ticketping/auth-tokens';
import { createHttpApp, listen, requireInternalCaller, type RunningServer } from '@ticketping/http';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { createRedis, type RedisClient } from '@ticketping/redis';
import { randomPrefix, testEnv } from '@ticketping/testing';
import { loadConfig } from '../src/config.ts';
import { createService, type GatewayService } from '../src/service.ts';

export const INTERNAL_TOKEN = 'gateway-test-internal-token';
export const quiet = () => createLogger({ service: 'test', destination: new Writable({ write(_c, _e, done) { done(); } }) });

export interface Echo {
  service: string;
  method: string;
  url: string;
  userId: string | null;
  role: string | null;
  forwardedFor: string | null;
  requestId: string | null;
  queueToken: string | null;
  authorization: string | null;
  traceparent: string | null;
  body: unknown;
}

export interface StandIn { name: string; url: string; server: RunningServer; calls: Echo[]; scheduleLookups: () => number }

/** A service that answers every authenticated path with what it received. */
export async function startStandIn(name: string, options: { jwks?: PrivateJwk[]; schedules?: Record<string, string> } = {}): Promise<StandIn> {
  const calls: Echo[] = [];
  let lookups = 0;
  const app = createHttpApp({
    logger: quiet(),
    metrics: createMetrics(`standin-${name}`, { defaultMetrics: false }),
    routes: (r) => {
      r.use(requireInternalCaller(INTERNAL_TOKEN)); // guards the JWKS too: proves the gateway sends the token
      if (options.jwks) { const jwks = publicJwks(options.jwks); r.get('/.well-known/jwks.json', (_req, res) => { res.json(jwks); }); }
      const schedules = options.schedules;
      if (schedules) {
        r.get('/api/v1/schedules/:scheduleId', (req, res) => {
          lookups++;
          const performanceId = schedules[req.params.scheduleId];
          if (!performanceId) return void res.status(404).type('application/problem+json').send('{"code":"SCHEDULE_NOT_FOUND"}');
          res.json({ id: req.params.scheduleId, performanceId, startsAt: '2030-01-01T19:00:00Z' });
        });
      }
      if (name === 'queue') {
        // the queue's batch of status polls: each answer echoes its poll as a GET of it would
        r.post('/internal/v1/status-polls', (req, res) => {
          const { polls } = req.body as { polls: Array<{ performanceId: string; userId: string }> };
          const answers = polls.map(({ performanceId, userId }) => {
            const echo: Echo = {
              service: name, method: 'GET', url: `/api/v1/queues/${performanceId}/entries/me`, userId, role: null,
              forwardedFor: null, requestId: null, queueToken: null, authorization: req.get('authorization') ?? null, traceparent: null, body: null,
            };
            calls.push(echo);
            return { status: 200, headers: { 'x-served-by': name }, body: echo };
          });
          res.json({ answers });
        });
      }
      r.get('/api/v1/orders/hang', () => new Promise(() => {}));
      // answers at once, then keeps its connection busy for a second (a chunk every 200 ms)
      r.get('/api/v1/orders/slow-body', async (_req, res) => {
        res.status(200).type('text/plain');
        for (let i = 0; i < 5; i++) {
          res.write('.');
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        res.end();
      });
      r.all('/{*path}', (req, res) => {
        const echo: Echo = {
          service: name, method: req.method, url: req.originalUrl,
          userId: req.get('x-user-id') ?? null, role: req.get('x-user-role') ?? null, forwardedFor: req.get('x-forwarded-for') ?? null,
          requestId: req.get('x-request-id') ?? null, queueToken: req.get('x-queue-token') ?? null, authorization: req.get('authorization') ?? null,
          traceparent: req.get('traceparent') ?? null,
          body: req.body ?? null,
        };
        calls.push(echo);
        res.status(req.method === 'POST' ? 201 : 200).set('x-served-by', name).json(echo);
      });
    },
  });
  const server = await listen(app, 0);
  return { name, url: `http://127.0.0.1:${server.port}`, server, calls, scheduleLookups: () => lookups };
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Keys { auth: PrivateJwk; queue: PrivateJwk; authSigner: TokenSigner; queueSigner: TokenSigner }

export async function makeKeys(): Promise<Keys> {
  const auth = await generateSigningKey('auth-1');
  const queue = await generateSigningKey('queue-1');
  return { auth, queue, authSigner: await createSigner('ticketping-auth', auth), queueSigner: await createSigner('ticketping-queue', queue) };
}

export const accessToken = async (signer: TokenSigner, userId: string, options: { role?: string; audience?: string; expiresInSeconds?: number } = {}) =>
  (await signer.sign({ subject: userId, audience: options.audience ?? 'ticketping-api', expiresInSeconds: options.expiresInSeconds ?? 900, claims: { role: options.role ?? 'USER' } })).token;

export const queueToken = async (signer: TokenSigner, userId: string, performanceId: string, expiresInSeconds = 600) =>
  (await signer.sign({ subject: userId, audience: performanceId, expiresInSeconds })).token;

/** `management`: the management port's base URL (/readyz, /metrics). */
export interface RunningGateway { base: string; management: string; service: GatewayService; server: RunningServer; redis: RedisClient; keyPrefix: string; close(): Promise<void> }

/** A gateway with its own Redis client and key prefix (pass `keyPrefix` to share counters like replicas do). */
export async function startGateway(env: Record<string, string>, redisUrl = testEnv.redisUrl): Promise<RunningGateway> {
  const keyPrefix = env.REDIS_KEY_PREFIX ?? randomPrefix('gw');
  const redis = createRedis({ url: redisUrl });
  redis.on('error', () => {}); // a test may point it at a dead server on purpose
  const config = loadConfig({ INTERNAL_TOKEN, REDIS_KEY_PREFIX: keyPrefix, WEB_DIST: '/nonexistent', ...env });
  const service = createService({ config, logger: quiet(), metrics: createMetrics('gateway', { defaultMetrics: false }), redis });
  await service.start();
  const server = await listen(service.app, 0);
  const management = await listen(service.app.management, 0);
  return {
    base: `http://127.0.0.1:${server.port}`, management: `http://127.0.0.1:${management.port}`, service, server, redis, keyPrefix,
    async close() {
      await server.close();
      await management.close();
      await service.stop();
      if (redis.status === 'ready') {
        const keys = await redis.keys(`${keyPrefix}:*`);
        if (keys.length) await redis.del(...keys);
      }
      redis.disconnect();
    },
  };
}

export async function problem(res: Response): Promise<Record<string, unknown>> {
  if (res.headers.get('content-type') !== 'application/problem+json; charset=utf-8') throw new Error(`not problem+json: ${res.status} ${res.headers.get('content-type')} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

export interface TcpProxy { port: number; url: string; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }

/**
 * A loopback TCP proxy to a real server (here Redis), so a test can take the server away from its
 * clients and give it back on the same address without stopping the shared server itself.
 */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(targetPort), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream).pipe(client);
  });
  const listenOn = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  await listenOn(0);
  const { port } = server.address() as { port: number };
  const cut = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    cut,
    restore: () => listenOn(port),
    close: async () => { if (server.listening) await cut(); },
  };
}
