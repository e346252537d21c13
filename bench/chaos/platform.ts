/**
 * The platform as it runs in production, on loopback: the six services as separate Node processes
 * (`services/<name>/src/main.ts`), this suite's own Kafka broker and Redis (AOF on), and one fresh
 * database per service on the test environment's Postgres. Any process can be killed with SIGKILL
 * and started again on the same port (and, for Kafka and Redis, on the same data).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { generateSigningKey, publicJwks, type PrivateJwk } from '@ticketping/auth-tokens';
import { createTestDatabase, type TestDatabase } from '@ticketping/db/testing';
import { MIGRATIONS_DIRECTORY as AUTH_MIGRATIONS, SCHEMA as AUTH_SCHEMA } from '@ticketping/auth/migrate';
import { MIGRATIONS_DIRECTORY as CATALOG_MIGRATIONS, SCHEMA as CATALOG_SCHEMA } from '@ticketping/catalog/migrate';
import { MIGRATIONS_DIRECTORY as BOOKING_MIGRATIONS, SCHEMA as BOOKING_SCHEMA } from '@ticketping/booking/migrate';
import { MIGRATIONS_DIRECTORY as PAYMENT_MIGRATIONS, SCHEMA as PAYMENT_SCHEMA } from '@ticketping/payment/migrate';
import { startTcpProxy, type TcpProxy } from '@ticketping/testing';
import { startKafka } from '../../packages/testenv/src/kafka.ts';
import { startRedis, type KillableServer } from '../../packages/testenv/src/redis.ts';
import { freePort } from '@ticketping/http/free-port';
import { portOpen } from '../../packages/testenv/src/process.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');

export const SERVICES = ['auth', 'catalog', 'queue', 'booking', 'payment', 'gateway'] as const;
export type ServiceName = (typeof SERVICES)[number];
export type ProcessName = ServiceName | 'kafka' | 'redis';
export type DatabaseOwner = 'auth' | 'catalog' | 'booking' | 'payment';

export interface PlatformOptions {
  workDir: string;
  postgresUrl: string;
  /** Extra environment per service (timeouts shortened for the test, rate limits off…). */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /**
   * Services reach Postgres through TCP proxies the test can cut (`postgres.booking.refuse()`): an outage
   * of the platform's database without touching the shared server. The suite's own reads go direct.
   */
  postgresProxy?: boolean;
}

export interface Platform {
  gatewayUrl: string;
  admin: { email: string; password: string };
  redisUrl: string;
  /** The suite's own Kafka broker (host:port), to read its dead-letter topics. */
  brokers: string;
  /** The proxies the services' DATABASE_URLs point at (one per service), when `postgresProxy` was asked for. */
  postgres?: Record<DatabaseOwner, TcpProxy>;
  /** One database per service, migrated; `knex` has the service's schema on its search path. */
  databases: Record<DatabaseOwner, TestDatabase>;
  /** SIGKILL, then start again on the same port; resolves once it accepts work again. */
  killAndRestart(name: ProcessName): Promise<{ downMs: number }>;
  kill(name: ProcessName): Promise<void>;
  start(name: ProcessName): Promise<void>;
  /**
   * SIGTERM (the service drains and leaves its Kafka groups, so it is back without waiting out a
   * session timeout), then start again with `env` added to its environment from now on.
   */
  restartWith(name: ServiceName, env: Record<string, string>): Promise<void>;
  /** The last lines of a process's log (for failure messages). */
  logTail(name: ProcessName, lines?: number): string;
  stop(): Promise<void>;
}

interface ServiceProcess { port: number; child?: ChildProcess; env?: Record<string, string> }

function kafkaHome(): string {
  return execFileSync('bash', [path.join(repoRoot, 'packages/testenv/bin/fetch-kafka.sh')], { encoding: 'utf8' }).trim();
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} was not ready within ${timeoutMs / 1000}s`);
}

const healthy = async (port: number) => (await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) })).ok;

function killChild(child: ChildProcess | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const { workDir } = options;
  const logDir = path.join(workDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = (name: ProcessName) => path.join(logDir, `${name}.log`);

  const [databases, home] = await Promise.all([
    (async () => {
      const sets: Record<DatabaseOwner, { directory: string; schema: string }> = {
        auth: { directory: AUTH_MIGRATIONS, schema: AUTH_SCHEMA },
        catalog: { directory: CATALOG_MIGRATIONS, schema: CATALOG_SCHEMA },
        booking: { directory: BOOKING_MIGRATIONS, schema: BOOKING_SCHEMA },
        payment: { directory: PAYMENT_MIGRATIONS, schema: PAYMENT_SCHEMA },
      };
      const entries = await Promise.all(Object.entries(sets).map(async ([owner, set]) => [owner, await createTestDatabase(options.postgresUrl, [set])] as const));
      return Object.fromEntries(entries) as Record<DatabaseOwner, TestDatabase>;
    })(),
    Promise.resolve(kafkaHome()),
  ]);

  let redis: KillableServer = await startRedis(workDir, { appendOnly: true });
  // Fixed ports so a restarted broker is where every client already looks.
  const kafkaPorts = { port: await freePort(), controllerPort: await freePort() };
  let kafka: KillableServer = await startKafka(workDir, home, kafkaPorts);
  const redisUrl = `redis://127.0.0.1:${redis.port}`;
  const brokers = `127.0.0.1:${kafka.port}`;

  // one proxy per service, so a case can cut one service's database or all of them
  const target = (({ hostname, port }) => ({ host: hostname, port: Number(port) || 5432 }))(new URL(options.postgresUrl));
  const postgres = options.postgresProxy
    ? Object.fromEntries(await Promise.all(Object.keys(databases).map(async (owner) => [owner, await startTcpProxy(target)] as const))) as Record<DatabaseOwner, TcpProxy>
    : undefined;
  const databaseUrl = (owner: DatabaseOwner) => (postgres ? postgres[owner].rewrite(databases[owner].url) : databases[owner].url);

  const internalToken = `chaos-${crypto.randomUUID()}`;
  const [authKey, queueKey] = [await generateSigningKey(), await generateSigningKey()];
  const jwks = (key: PrivateJwk) => JSON.stringify(publicJwks([key]));
  const admin = { email: 'admin@chaos.test', password: 'chaos-admin-password' };

  const processes = Object.fromEntries(await Promise.all(SERVICES.map(async (name) => [name, { port: await freePort() }] as const))) as Record<ServiceName, ServiceProcess>;
  const url = (name: ServiceName) => `http://127.0.0.1:${processes[name].port}`;
  const environment: Record<ServiceName, Record<string, string>> = {
    auth: { REDIS_URL: redisUrl, DATABASE_URL: databaseUrl('auth'), AUTH_SIGNING_KEY: JSON.stringify(authKey), ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password },
    catalog: { DATABASE_URL: databaseUrl('catalog'), KAFKA_BROKERS: brokers },
    queue: { REDIS_URL: redisUrl, CATALOG_URL: url('catalog'), KAFKA_BROKERS: brokers, QUEUE_SIGNING_KEY: JSON.stringify(queueKey) },
    booking: { DATABASE_URL: databaseUrl('booking'), KAFKA_BROKERS: brokers, QUEUE_JWKS: jwks(queueKey), REDIS_URL: redisUrl },
    payment: { DATABASE_URL: databaseUrl('payment'), KAFKA_BROKERS: brokers, BOOKING_URL: url('booking') },
    gateway: {
      REDIS_URL: redisUrl, AUTH_URL: url('auth'), CATALOG_URL: url('catalog'), QUEUE_URL: url('queue'), BOOKING_URL: url('booking'),
      PAYMENT_URL: url('payment'), AUTH_JWKS: jwks(authKey), QUEUE_JWKS: jwks(queueKey),
    },
  };

  async function startService(name: ServiceName): Promise<void> {
    const service = processes[name];
    const log = openSync(logFile(name), 'a');
    const child = spawn(process.execPath, ['--conditions=source', path.join(repoRoot, `services/${name}/src/main.ts`)], {
      cwd: repoRoot,
      stdio: ['ignore', log, log],
      env: {
        // the management port (/metrics, /readyz) is not used here: any free one
        PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', PORT: String(service.port), MANAGEMENT_PORT: '0', LOG_LEVEL: 'warn',
        INTERNAL_TOKEN: internalToken, ...environment[name], ...options.env?.[name], ...service.env,
      },
    });
    closeSync(log);
    service.child = child;
    // A service listens only once its consumers joined their groups: after a kill -9 that waits
    // for the dead member's Kafka session to time out (30 s).
    await until(name, () => healthy(service.port), 90_000, child);
  }

  const platform: Platform = {
    gatewayUrl: url('gateway'),
    admin,
    redisUrl,
    brokers,
    ...(postgres ? { postgres } : {}),
    databases,
    async kill(name) {
      if (name === 'redis') await redis.kill();
      else if (name === 'kafka') await kafka.kill();
      else await killChild(processes[name].child);
    },
    async start(name) {
      if (name === 'redis') redis = await startRedis(workDir, { appendOnly: true, port: redis.port });
      else if (name === 'kafka') {
        kafka = await startKafka(workDir, home, kafkaPorts);
        await until('kafka broker', () => portOpen(kafka.port), 60_000);
      } else await startService(name);
    },
    async restartWith(name, env) {
      const service = processes[name];
      const child = service.child;
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        // a drain that hangs is a finding of its own; the restart still goes on
        await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
        await killChild(child);
      }
      service.env = { ...service.env, ...env };
      await startService(name);
    },
    async killAndRestart(name) {
      await platform.kill(name);
      const killedAt = Date.now();
      await platform.start(name);
      return { downMs: Date.now() - killedAt };
    },
    logTail(name, lines = 30) {
      try {
        return readFileSync(name === 'redis' || name === 'kafka' ? path.join(workDir, `${name}.log`) : logFile(name), 'utf8').split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
    async stop() {
      for (const name of [...SERVICES].reverse()) await killChild(processes[name].child);
      await Promise.allSettled([kafka.stop(), redis.stop(), ...Object.values(postgres ?? {}).map((proxy) => proxy.close())]);
      await Promise.allSettled(Object.values(databases).map((db) => db.drop()));
    },
  };

  try {
    for (const name of SERVICES) await startService(name);
  } catch (error) {
    await platform.stop();
    throw error;
  }
  return platform;
}
