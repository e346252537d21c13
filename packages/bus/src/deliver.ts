import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@ticketping/logger';
import { SpanKind, extractTraceContext, withSpan } from '@ticketping/telemetry';
import { backoffMs } from './envelope.ts';
import type { BusMetrics } from './metrics.ts';
import type { BusEvent, Handler } from './types.ts';

export interface Delivery {
  event: BusEvent;
  topic: string;
  group: string;
  handle: Handler;
  maxAttempts: number;
  retryBackoffMs: number;
  /** Aborted by `stop()`: no new attempt starts, the message stays uncommitted. */
  signal: AbortSignal;
  /** Kafka: keeps the group membership alive while we wait between attempts. */
  heartbeat?: () => Promise<void>;
  deadLetter: (error: unknown, attempts: number) => Promise<void>;
  metrics: BusMetrics;
  logger: Logger;
}

/** Longest single wait, so a heartbeat goes out well within the Kafka session timeout. */
const HEARTBEAT_EVERY_MS = 1000;

/**
 * Runs the handler with bounded retries, then dead-letters. The one delivery loop both adapters
 * share, so they behave the same. Returns `done` when the message may be committed (handled or
 * dead-lettered) and `stopped` when it must stay for redelivery. Throws only if the dead-letter
 * publish fails (the message is then redelivered: at-least-once).
 */
export async function deliver(d: Delivery): Promise<'done' | 'stopped'> {
  const labels = { topic: d.topic, group: d.group };
  const fields = { eventId: d.event.id, type: d.event.type, ...labels };
  const parent = extractTraceContext(d.event.headers ?? {});
  let lastError: unknown;
  for (let attempt = 1; attempt <= d.maxAttempts; attempt++) {
    if (d.signal.aborted) return 'stopped';
    try {
      const result = await withSpan(`${d.topic} process`, SpanKind.CONSUMER, parent, () => d.handle(d.event, d.topic));
      d.metrics.handled.inc({ ...labels, outcome: result === 'duplicate' ? 'duplicate' : 'ok' });
      return 'done';
    } catch (error) {
      lastError = error;
      if (attempt === d.maxAttempts) break;
      d.metrics.handled.inc({ ...labels, outcome: 'retried' });
      d.logger.warn({ ...fields, err: error, attempt }, 'event handler failed; retrying');
      if (!(await waitBeforeRetry(backoffMs(d.retryBackoffMs, attempt), d))) return 'stopped';
    }
  }
  await d.deadLetter(lastError, d.maxAttempts);
  d.metrics.handled.inc({ ...labels, outcome: 'dead_lettered' });
  d.metrics.deadLettered.inc(labels);
  d.logger.error({ ...fields, err: lastError, attempts: d.maxAttempts }, 'event dead-lettered');
  return 'done';
}

/** False when stopped while waiting. */
async function waitBeforeRetry(ms: number, d: Pick<Delivery, 'signal' | 'heartbeat'>): Promise<boolean> {
  for (let remaining = ms; remaining > 0; remaining -= HEARTBEAT_EVERY_MS) {
    try {
      await sleep(Math.min(remaining, HEARTBEAT_EVERY_MS), undefined, { signal: d.signal });
    } catch {
      return false;
    }
    await d.heartbeat?.();
  }
  return !d.signal.aborted;
}
