/**
 * The two ways the on-sale runs: standalone (every service in one process, PGlite, in-memory bus,
 * a redis-server child) and the services as separate processes on the test environment's Kafka,
 * Postgres and Redis. Either way the fans reach the gateway's URL, the bench signs access tokens
 * with auth's own key (so most fans skip scrypt, see run.ts), and afterwards it opens booking's
 * and payment's databases to check what was sold and paid.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabases } from '@ticketping/standalone';
import { createSigner, generateSigningKey, publicJwks, type PrivateJwk, type TokenSigner } from '@ticketping/auth-tokens';
import { createTestDatabase, type TestDatabase } from '@ticketping/db/testing';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import { MIGRATIONS_DIRECTORY as AUTH_MIGRATIONS, SCHEMA as AUTH_SCHEMA } from '@ticketping/auth/migrate';
import { MIGRATIONS_DIRECTORY as CATALOG_MIGRATIONS, SCHEMA as CATALOG_SCHEMA } from '@ticketping/catalog/migrate';
import { MIGRATIONS_DIRECTORY as BOOKING_MIGRATIONS, SCHEMA as BOOKING_SCHEMA } from '@ticketping/booking/migrate';
import { MIGRATIONS_DIRECTORY as PAYMENT_MIGRATIONS, SCHEMA as PAYMENT_SCHEMA } from '@ticketping/payment/migrate';
import { startServiceProcess, type ServiceProcess } from '../../services/booking/test/booking-process.ts';
import { childrenOf, commandOf, type Watched } from './proc.ts';

/** Booking's and payment's databases after the sale (tables schema-qualified: `booking.orders`, `payment.payments`). */
export interface Books {
  query(owner: 'booking' | 'payment', sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

export interface Target {
  name: 'standalone' | 'processes';
  /** The gateway. */
  url: string;
  /** The gateway's management address: its /metrics give the server-side latency. */
  metricsUrl: string;
  admin: { email: string; password: string };
  /** Signs access tokens as auth does: same key, issuer, audience and claims. */
  authSigner: TokenSigner;
  processes: Watched[];
  /** Resolves once booking has its copy of the schedule's seats. */
  seatsReady(scheduleId: string, seats: number): Promise<void>;
  /** Stops the platform and opens its books. */
  finish(): Promise<Books>;
}

const CHILD = path.resolve(import.meta.dirname, 'standalone-child.ts');

export async function startStandaloneTarget(): Promise<Target> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onsale-'));
  const child = fork(CHILD, [dataDir], { execArgv: ['--conditions=source'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  type Ready = { url: string; metricsUrl: string; adminEmail: string; adminPassword: string; databaseUrls: Record<string, string> };
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Ready));
    child.once('exit', (code) => reject(new Error(`standalone exited with ${code}`)));
  });
  // standalone keeps its keys in <dataDir>/secrets.json so tokens survive a restart
  const secrets = JSON.parse(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as { authKey: PrivateJwk };
  const pid = child.pid!;
  return {
    name: 'standalone',
    url: ready.url,
    metricsUrl: ready.metricsUrl,
    admin: { email: ready.adminEmail, password: ready.adminPassword },
    authSigner: await createSigner('ticketping-auth', secrets.authKey),
    processes: [{ name: 'standalone', pid }, ...childrenOf(pid).map((p) => ({ name: commandOf(p), pid: p }))],
    async seatsReady(scheduleId, seats) {
      const client = new pg.Client({ connectionString: ready.databaseUrls.booking });
      await client.connect();
      try {
        await eventually(async () => Number((await client.query('SELECT count(*)::int AS n FROM booking.seats WHERE schedule_id = $1', [scheduleId])).rows[0].n) === seats, 60_000, 200);
      } finally {
        await client.end();
      }
    },
    async finish() {
      child.kill('SIGTERM');
      await exited;
      const opened = await openDatabases(dataDir);
      const clients = { booking: new pg.Client({ connectionString: opened.urls.booking }), payment: new pg.Client({ connectionString: opened.urls.payment }) };
      await clients.booking.connect();
      await clients.payment.connect();
      return {
        query: async (owner, sql, params = []) => (await clients[owner].query(sql, params)).rows as Array<Record<string, unknown>>,
        async close() {
          await clients.booking.end();
          await clients.payment.end();
          await opened.stop();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  };
}

const SERVICE_MAIN = (name: string) => path.resolve(import.meta.dirname, `../../services/${name}/src/main.ts`);

/** Each service from its `src/main.ts`, with the environment its chart would give it, on fresh databases and topics. */
export async function startProcessesTarget(): Promise<Target> {
  const internal = { INTERNAL_TOKEN: randomBytes(24).toString('base64url'), LOG_LEVEL: 'warn' };
  const kafka = { KAFKA_BROKERS: testEnv.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: `${randomPrefix('onsale')}.` };
  const [authKey, queueKey] = [await generateSigningKey(), await generateSigningKey()];
  const admin = { email: 'admin@onsale.test', password: randomBytes(12).toString('base64url') };
  const database = (directory: string, schema: string) => createTestDatabase(testEnv.postgresUrl, [{ directory, schema }]);
  const databases: Record<'auth' | 'catalog' | 'booking' | 'payment', TestDatabase> = {
    auth: await database(AUTH_MIGRATIONS, AUTH_SCHEMA),
    catalog: await database(CATALOG_MIGRATIONS, CATALOG_SCHEMA),
    booking: await database(BOOKING_MIGRATIONS, BOOKING_SCHEMA),
    payment: await database(PAYMENT_MIGRATIONS, PAYMENT_SCHEMA),
  };
  const started: Array<{ name: string; service: ServiceProcess }> = [];
  const start = async (name: string, env: Record<string, string>) => {
    const service = await startServiceProcess(SERVICE_MAIN(name), { ...internal, ...env });
    started.push({ name, service });
    return service;
  };
  const stopAll = async () => {
    for (const { service } of started.reverse()) await service.stop();
  };
  const dropAll = async () => {
    for (const db of Object.values(databases)) await db.drop();
  };
  try {
    const queueJwks = JSON.stringify(publicJwks([queueKey]));
    const auth = (await start('auth', {
      DATABASE_URL: databases.auth.url, REDIS_URL: testEnv.redisUrl, REDIS_KEY_PREFIX: `tp:${randomPrefix('onsaleauth')}`,
      AUTH_SIGNING_KEY: JSON.stringify(authKey), ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password,
    })).base;
    const catalog = (await start('catalog', { DATABASE_URL: databases.catalog.url, ...kafka })).base;
    const queue = (await start('queue', { REDIS_URL: testEnv.redisUrl, CATALOG_URL: catalog, QUEUE_SIGNING_KEY: JSON.stringify(queueKey), ...kafka })).base;
    const booking = (await start('booking', { DATABASE_URL: databases.booking.url, REDIS_URL: testEnv.redisUrl, QUEUE_JWKS: queueJwks, ...kafka })).base;
    const payment = (await start('payment', { DATABASE_URL: databases.payment.url, BOOKING_URL: booking, ...kafka })).base;
    const gateway = await start('gateway', {
      REDIS_URL: testEnv.redisUrl, REDIS_KEY_PREFIX: `tp:${randomPrefix('onsalegw')}`, WEB_DIST: '/nonexistent',
      AUTH_URL: auth, CATALOG_URL: catalog, QUEUE_URL: queue, BOOKING_URL: booking, PAYMENT_URL: payment,
      AUTH_JWKS: JSON.stringify(publicJwks([authKey])), QUEUE_JWKS: queueJwks,
    });
    return {
      name: 'processes',
      url: gateway.base,
      metricsUrl: gateway.management,
      admin,
      authSigner: await createSigner('ticketping-auth', authKey),
      processes: started.map(({ name, service }) => ({ name, pid: service.child.pid! })),
      async seatsReady(scheduleId, seats) {
        const count = async () => Number((await databases.booking.knex('seats').where('schedule_id', scheduleId).count<Array<{ n: number }>>('* as n'))[0]!.n);
        await eventually(async () => (await count()) === seats, 60_000, 200);
      },
      async finish() {
        await stopAll();
        return {
          // the queries are written with Postgres' $n placeholders (PGlite's); knex.raw binds `?`
          query: async (owner, sql, params = []) => (await databases[owner].knex.raw(sql.replace(/\$\d+/g, '?'), params as never[])).rows as Array<Record<string, unknown>>,
          close: dropAll,
        };
      },
    };
  } catch (error) {
    await stopAll();
    await dropAll();
    throw error;
  }
}
