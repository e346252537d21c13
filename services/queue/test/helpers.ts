import { Writable } from 'node:stream';
import { createLogger } from '@ticketping/logger';
import { QUEUE_INDEX_KEY, queueKeys, type RedisClient } from '@ticketping/redis';
import { loadConfig, type QueueConfig } from '../src/config.ts';

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
