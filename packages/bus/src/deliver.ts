import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@ticketping/logger';
import { SpanKind, extractTraceContext, withSpan } from '@ticketping/telemetry';
import { backoffMs } from './envelope.ts';
import { classifyFailure, type FailureKind } from './failure.ts';
import type { BusMetrics } from './metrics.ts';
import type { BusEvent, Handler } from './types.ts';

export interface Delivery {
  event: BusEvent;
  topic: string;
  group: string;
  handle: Handler;
  /** Attempts before a failure the bus cannot classify is dead-lettered (transient ones have no cap). */
  maxAttempts: number;
  retryBackoffMs: number;
  /** The longest wait between two attempts (default 30 s). */
  maxRetryBackoffMs?: number;
  /** Aborted by `stop()`: no new attempt starts, the message stays uncommitted. */
  signal: AbortSignal;
  /** Kafka: keeps the group membership alive while we wait between attempts. */
  heartbeat?: () => Promise<void>;
  deadLetter: (error: unknown, attempts: number, kind: FailureKind) => Promise<void>;
  metrics: BusMetrics;
  logger: Logger;
}

export const DEFAULT_MAX_RETRY_BACKOFF_MS = 30_000;

/** What became of one attempt: handled or dead-lettered (`done`: commit it), or to be tried again after `delayMs`. */
export type AttemptOutcome = { status: 'done' } | { status: 'retry'; delayMs: number; kind: FailureKind };

/** Longest single wait, so a heartbeat goes out well within the Kafka session timeout. */
const HEARTBEAT_EVERY_MS = 1000;

/**
 * One attempt under the delivery policy (failure.ts): a transient failure is retried whatever
 * the attempt number, a permanent one is dead-lettered at once, an unclassified one is
 * dead-lettered at `maxAttempts`. Throws only if the dead-letter publish fails (the message is
 * then redelivered: at-least-once).
 */
export async function attemptDelivery(d: Delivery, attempt: number): Promise<AttemptOutcome> {
  const labels = { topic: d.topic, group: d.group };
  try {
    const parent = extractTraceContext(d.event.headers ?? {});
    const result = await withSpan(`${d.topic} process`, SpanKind.CONSUMER, parent, () => d.handle(d.event, d.topic));
    d.metrics.handled.inc({ ...labels, outcome: result === 'duplicate' ? 'duplicate' : 'ok' });
    return { status: 'done' };
  } catch (error) {
    const kind = classifyFailure(error);
    const fields = { eventId: d.event.id, type: d.event.type, ...labels, err: error, attempt, kind };
    if (kind === 'permanent' || (kind === 'unknown' && attempt >= d.maxAttempts)) {
      await d.deadLetter(error, attempt, kind);
      d.metrics.handled.inc({ ...labels, outcome: 'dead_lettered' });
      d.metrics.deadLettered.inc(labels);
      d.logger.error(fields, 'event dead-lettered');
      return { status: 'done' };
    }
    d.metrics.handled.inc({ ...labels, outcome: 'retried' });
    d.logger.warn(fields, 'event handler failed; retrying');
    return { status: 'retry', delayMs: backoffMs(d.retryBackoffMs, attempt, d.maxRetryBackoffMs ?? DEFAULT_MAX_RETRY_BACKOFF_MS), kind };
  }
}

/**
 * Runs the handler until it succeeds or the message is dead-lettered, waiting in place between
 * attempts (the memory bus; Kafka pauses the partition instead, kafka-consumer.ts). Returns
 * `done` when the message may be committed and `stopped` when it must stay for redelivery.
 */
export async function deliver(d: Delivery): Promise<'done' | 'stopped'> {
  for (let attempt = 1; ; attempt++) {
    if (d.signal.aborted) return 'stopped';
    const outcome = await attemptDelivery(d, attempt);
    if (outcome.status === 'done') return 'done';
    if (!(await waitBeforeRetry(outcome.delayMs, d))) return 'stopped';
  }
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
