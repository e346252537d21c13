import path from 'node:path';
import { createLogger, type Logger } from '@ticketping/logger';
import { freePort } from '@ticketping/http';
import { startLocalMailbox } from '@ticketping/mail';
import { SERVICE_NAMES, type ServiceName } from './config.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { startRedisChild } from './redis-server.ts';
import { jwksJson, loadOrCreateSecrets, type StandaloneSecrets } from './secrets.ts';
import { seedDemo } from './seed.ts';
import { superviseService, type SupervisedService } from './supervisor.ts';

export interface StandaloneOptions {
  /** The gateway's port (0 = any free port). */
  port?: number;
  /** Where Postgres and Redis keep their data. */
  dataDir?: string;
  /** Port of the local mailbox's page (0 = any free port; its address is `Standalone.mailUrl`). */
  mailPort?: number;
  /** Seed a demo performance with an open queue. */
  seedDemo?: boolean;
  logLevel?: string;
  logger?: Logger;
}

export interface Standalone {
  url: string;
  adminEmail: string;
  adminPassword: string;
  /** The local mailbox's page: every e-mail the platform sends (tickets, sign-up checks) lands there. */
  mailUrl: string;
  /** Every service's own loopback address (the gateway's among them). */
  services: Record<ServiceName, string>;
  /** Every service's management address: /readyz and /metrics (never routed to fans). */
  management: Record<ServiceName, string>;
  /** postgres:// of each service's database (a bench checks what was sold). */
  databaseUrls: Record<string, string>;
  stop(): Promise<void>;
}

/** Each service owning data has its own database in the one embedded cluster. */
export const DATABASE_OWNERS = ['auth', 'catalog', 'booking', 'payment', 'tickets'] as const;

interface Infrastructure { redisUrl: string; postgresUrls: Record<string, string>; smtpUrl: string; secrets: StandaloneSecrets; logLevel: string }

/** The environment each service's pod would get from the chart, pointed at the embedded servers. */
function environmentOf(name: ServiceName, infra: Infrastructure, urls: Record<ServiceName, string>): Record<string, string> {
  const { secrets } = infra;
  const common = {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: infra.logLevel,
    INTERNAL_TOKEN: secrets.internalToken, BUS_REDIS_URL: infra.redisUrl,
  };
  // Mail goes to the local mailbox; its links lead to the gateway, where the fan's browser finds the pages.
  const mail = { SMTP_URL: infra.smtpUrl, PUBLIC_URL: urls.gateway };
  const own: Record<ServiceName, () => Record<string, string>> = {
    auth: () => ({
      ...mail,
      REDIS_URL: infra.redisUrl, DATABASE_URL: infra.postgresUrls.auth!, AUTH_SIGNING_KEY: JSON.stringify(secrets.authKey),
      ADMIN_EMAIL: secrets.adminEmail, ADMIN_PASSWORD: secrets.adminPassword,
    }),
    catalog: () => ({ DATABASE_URL: infra.postgresUrls.catalog! }),
    // the queue rebuilds waiting rooms Redis lost from catalog's performances on sale
    queue: () => ({ REDIS_URL: infra.redisUrl, CATALOG_URL: urls.catalog, QUEUE_SIGNING_KEY: JSON.stringify(secrets.queueKey) }),
    // booking reads the fan's live admission slot where the waiting room keeps it, and mails waitlist offers
    booking: () => ({ DATABASE_URL: infra.postgresUrls.booking!, REDIS_URL: infra.redisUrl, QUEUE_JWKS: jwksJson(secrets.queueKey), AUTH_URL: urls.auth, ...mail }),
    // payment reads an order from booking when its order.created has not arrived yet
    payment: () => ({ DATABASE_URL: infra.postgresUrls.payment!, BOOKING_URL: urls.booking }),
    tickets: () => ({ DATABASE_URL: infra.postgresUrls.tickets!, AUTH_URL: urls.auth, ...mail }),
    gateway: () => ({
      REDIS_URL: infra.redisUrl, AUTH_URL: urls.auth, CATALOG_URL: urls.catalog, QUEUE_URL: urls.queue,
      BOOKING_URL: urls.booking, PAYMENT_URL: urls.payment, TICKETS_URL: urls.tickets,
      AUTH_JWKS: jwksJson(secrets.authKey), QUEUE_JWKS: jwksJson(secrets.queueKey),
    }),
  };
  return { ...common, ...own[name]() };
}

/**
 * The whole platform on this machine, with the topology of Kubernetes: redis-server and a real
 * Postgres (from the `embedded-postgres` package) as child processes, every service in its own
 * supervised Node process on its own loopback port, events between them on Redis Streams, and the
 * gateway in front on the configured port. The services behind it take whatever ports the kernel
 * hands out, so a busy neighbouring port (8081, or PORT+1 in a test) can never stop `npm start`.
 * E-mail goes to a local mailbox (packages/mail: a real SMTP server and a page to read it, both on
 * loopback), since a laptop has no mail relay and the fan is the person at the keyboard.
 */
export async function startStandalone(options: StandaloneOptions = {}): Promise<Standalone> {
  const logger = options.logger ?? createLogger({ service: 'standalone', level: options.logLevel ?? 'info' });
  const logLevel = options.logLevel ?? 'warn';
  const dataDir = path.resolve(options.dataDir ?? '.data');
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch((error: unknown) => logger.error({ err: error }, 'stop failed'));
  };
  try {
    const secrets = await loadOrCreateSecrets(dataDir);
    // Side by side; both settle before a failure of either is thrown, so stop() finds both.
    const [redisStarted, postgresStarted] = await Promise.allSettled([
      startRedisChild(dataDir, await freePort(), logger).then((r) => (stops.push(r.stop), r)),
      startEmbeddedPostgres({ dataDir, port: await freePort(), password: secrets.postgresPassword, databases: DATABASE_OWNERS, logger }).then((p) => (stops.push(p.stop), p)),
    ]);
    if (redisStarted.status === 'rejected') throw redisStarted.reason;
    if (postgresStarted.status === 'rejected') throw postgresStarted.reason;
    const [redis, postgres] = [redisStarted.value, postgresStarted.value];
    const mailbox = await startLocalMailbox({ dataDir: path.join(dataDir, 'mail'), port: options.mailPort ?? 0 });
    stops.push(() => mailbox.close());
    const infra: Infrastructure = { redisUrl: redis.url, postgresUrls: postgres.urls, smtpUrl: mailbox.smtpUrl, secrets, logLevel };

    // No service calls another while it starts, so all six start side by side: the ones behind the
    // gateway on ports the kernel hands out now, so the gateway knows where they are. The gateway's
    // port is known before it starts too (a free one for port 0): the e-mails link to it.
    const gatewayPort = options.port === undefined ? 8080 : options.port === 0 ? await freePort() : options.port;
    const ports = Object.fromEntries(await Promise.all(SERVICE_NAMES.map(async (name) => [name, name === 'gateway' ? gatewayPort : await freePort()] as const))) as Record<ServiceName, number>;
    const urls = Object.fromEntries(SERVICE_NAMES.map((name) => [name, `http://127.0.0.1:${ports[name]}`])) as Record<ServiceName, string>;
    const started: SupervisedService[] = [];
    // The gateway first on the way down: it stops taking requests before the services behind it go.
    stops.push(() => Promise.all(started.filter((s) => s.name !== 'gateway').map((s) => s.stop())).then(() => undefined));
    stops.push(() => Promise.all(started.filter((s) => s.name === 'gateway').map((s) => s.stop())).then(() => undefined));
    const results = await Promise.allSettled(SERVICE_NAMES.map(async (name) => {
      const service = await superviseService(name, { ...environmentOf(name, infra, urls), PORT: String(ports[name]) }, logger);
      started.push(service);
    }));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const gateway = started.find((s) => s.name === 'gateway')!;
    urls.gateway = gateway.url;
    const management = Object.fromEntries(started.map((s) => [s.name, s.managementUrl])) as Record<ServiceName, string>;

    if (options.seedDemo ?? true) await seedDemo(gateway.url, { email: secrets.adminEmail, password: secrets.adminPassword }, logger);
    return { url: `http://localhost:${gateway.port}`, mailUrl: mailbox.url, adminEmail: secrets.adminEmail, adminPassword: secrets.adminPassword, services: urls, management, databaseUrls: postgres.urls, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Opens the databases of a stopped standalone's data folder (a bench reads what was sold and paid
 * after the sale): starts its embedded Postgres alone; `stop()` stops it again.
 */
export async function openDatabases(dataDir: string, logger: Logger = createLogger({ service: 'standalone', level: 'warn' })): Promise<{ urls: Record<string, string>; stop(): Promise<void> }> {
  const secrets = await loadOrCreateSecrets(path.resolve(dataDir));
  const postgres = await startEmbeddedPostgres({ dataDir: path.resolve(dataDir), port: await freePort(), password: secrets.postgresPassword, databases: DATABASE_OWNERS, logger });
  return { urls: postgres.urls, stop: postgres.stop };
}
