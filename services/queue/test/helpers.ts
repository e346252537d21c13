import { Writable } from 'node:stream';
import { createLogger } from '@ticketping/logger';
import { listen, type RunningServer } from '@ticketping/http';
import { createMetrics } from '@ticketping/metrics';
import { QUEUE_INDEX_KEY, createRedis, queueKeys, type RedisClient } from '@ticketping/redis';
import { testEnv } from '@ticketping/testing';
import { loadConfig, type QueueConfig } from '../src/config.ts';
import { createService, type QueueService } from '../src/service.ts';

export const INTERNAL_TOKEN = 'test-internal-token-0123456789';

/** Standalone defaults with the given overrides (durations short enough for tests). */
export function testConfig(overrides: Record<string, string> = {}): QueueConfig {
  return loadConfig({ INTERNAL_TOKEN, LOG_LEVEL: 'silent', ...overrides });
}

export const quietLogger = () => createLogger({ service: 'queue-test', level: 'silent', destination: new Writable({ write(_c, _e, done) { done(); } }) });

/** Drops every key of the given queues, and their index entries. */
export async function dropQueues(redis: RedisClient, performanceIds: string[]): Promise<void> {
  for (const id of performanceIds) {
    await redis.del(...Object.values(queueKeys(id)));
    await redis.srem(QUEUE_INDEX_KEY, id);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface QueueHarness {
  redis: RedisClient;
  queue: QueueService;
  server: RunningServer;
  base: string;
  /** Stops the server, drops the queues the suite listed, and closes Redis. */
  close(): Promise<void>;
}

/**
 * The queue service on a free port with a Redis connection of its own, as the route suites use it.
 * `queues` is the suite's list of the performances it created, dropped again on close; `overrides`
 * are settings beside the test defaults.
 */
export async function startQueue(queues: string[], overrides: Record<string, string> = {}): Promise<QueueHarness> {
  const redis = createRedis({ url: testEnv.redisUrl });
  const queue = await createService({ config: testConfig(overrides), logger: quietLogger(), metrics: createMetrics('queue', { defaultMetrics: false }), redis });
  const server = await listen(queue.app, 0);
  return {
    redis, queue, server, base: `http://127.0.0.1:${server.port}`,
    async close() {
      await server.close();
      await dropQueues(redis, queues);
      await redis.quit();
    },
  };
}
