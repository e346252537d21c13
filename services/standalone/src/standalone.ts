import path from 'node:path';
import { createLogger, type Logger } from '@ticketping/logger';
import { startRedisChild } from './redis-server.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { loadOrCreateSecrets } from './secrets.ts';
import { seedDemo } from './seed.ts';
import { DATABASE_OWNERS, startServices, type DatabaseOwner, type Ports } from './services.ts';
import { freePort } from '@ticketping/http';

export interface StandaloneOptions {
  /** The gateway's port (0 = any free port). */
  port?: number;
  /** Where PGlite and Redis keep their data. */
  dataDir?: string;
  /** Seed a demo performance with an open queue. */
  seedDemo?: boolean;
  logLevel?: string;
  logger?: Logger;
}

export interface Standalone {
  url: string;
  adminEmail: string;
  adminPassword: string;
  stop(): Promise<void>;
}

/**
 * The gateway takes the configured port; the services behind it take whatever the kernel hands
 * out, so a busy neighbouring port (8081, or PORT+1 in a test) can never stop `npm start`.
 */
function servicePorts(gateway: number): Ports {
  return { gateway, auth: 0, catalog: 0, queue: 0, booking: 0, payment: 0 };
}

/**
 * The whole platform in one process: Redis as a child process, Postgres as embedded PGlite over
 * the wire protocol, the in-memory bus, every service on its own loopback port, and the gateway
 * in front, the same topology as in Kubernetes.
 */
export async function startStandalone(options: StandaloneOptions = {}): Promise<Standalone> {
  const logger = options.logger ?? createLogger({ service: 'standalone', level: options.logLevel ?? 'info' });
  const dataDir = path.resolve(options.dataDir ?? '.data');
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch((error: unknown) => logger.error({ err: error }, 'stop failed'));
  };
  try {
    const redis = await startRedisChild(dataDir, await freePort(), logger);
    stops.push(redis.stop);
    const databases = await Promise.all(DATABASE_OWNERS.map(async (owner) => [owner, await startEmbeddedPostgres(dataDir, owner, await freePort(), logger)] as const));
    for (const [, postgres] of databases) stops.push(postgres.stop);
    const postgresUrls = Object.fromEntries(databases.map(([owner, postgres]) => [owner, postgres.url])) as Record<DatabaseOwner, string>;

    const secrets = await loadOrCreateSecrets(dataDir);
    const services = await startServices({ redisUrl: redis.url, postgresUrls }, servicePorts(options.port ?? 8080), secrets, logger, options.logLevel ?? 'warn');
    stops.push(services.stop);
    const url = `http://localhost:${services.ports.gateway}`;
    if (options.seedDemo ?? true) await seedDemo(`http://127.0.0.1:${services.ports.gateway}`, { email: secrets.adminEmail, password: secrets.adminPassword }, logger);
    return { url, adminEmail: secrets.adminEmail, adminPassword: secrets.adminPassword, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
