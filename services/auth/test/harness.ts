import { Writable } from 'node:stream';
import type { TestDatabase } from '@ticketping/db/testing';
import { listen } from '@ticketping/http';
import { createLogger } from '@ticketping/logger';
import { createMetrics, type ServiceMetrics } from '@ticketping/metrics';
import type { RedisClient } from '@ticketping/redis';
import { loadConfig } from '../src/config.ts';
import { createService } from '../src/service.ts';

export const INTERNAL_TOKEN = 'auth-test-internal-token';

export interface AuthUnderTest { base: string; metrics: ServiceMetrics; close(): Promise<void> }

/**
 * The auth service on a free loopback port over a suite's test database and Redis, quiet, with
 * `env` on top of the internal token: the one way the suites start it, whatever settings they vary.
 */
export async function startAuth({ db, redis }: { db: TestDatabase; redis: RedisClient }, env: Record<string, string>): Promise<AuthUnderTest> {
  const metrics = createMetrics('auth', { defaultMetrics: false });
  const logger = createLogger({ service: 'auth', destination: new Writable({ write(_c, _e, done) { done(); } }) });
  const service = createService({ config: loadConfig({ INTERNAL_TOKEN, ...env }), logger, metrics, db: db.knex, redis });
  await service.start();
  const server = await listen(service.app, 0);
  return {
    base: `http://127.0.0.1:${server.port}`,
    metrics,
    close: async () => {
      await server.close();
      await service.stop();
    },
  };
}
