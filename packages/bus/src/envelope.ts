import { SpanKind, context, injectTraceHeaders, withSpan } from '@ticketping/telemetry';
import { PermanentDeliveryError, type FailureKind } from './failure.ts';
import type { BusEvent } from './types.ts';

/**
 * The wire format shared by both adapters: the message value is the JSON envelope below, the
 * message key is the event key, and the event headers travel as message headers.
 */
interface Envelope {
  id: string;
  type: string;
  key: string;
  occurredAt: string;
  payload: unknown;
}

export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** Headers added to a dead-lettered message, so whoever reads `<topic>.dlq` knows what went wrong. */
export const DLQ_HEADERS = {
  error: 'x-dlq-error',
  attempts: 'x-dlq-attempts',
  topic: 'x-dlq-topic',
  group: 'x-dlq-group',
  failedAt: 'x-dlq-failed-at',
  /** `permanent` (never retried) or `unknown` (retried `maxAttempts` times): see failure.ts. */
  reason: 'x-dlq-reason',
  /** Set on a message put back by a redrive: when, so a reader can tell it from the original. */
  redrivenAt: 'x-redriven-at',
} as const;

const MAX_ERROR_LENGTH = 1000;

export function encodeEvent(event: BusEvent): string {
  for (const field of ['id', 'type', 'key', 'occurredAt'] as const) {
    if (typeof event[field] !== 'string' || event[field] === '') throw new TypeError(`bus event needs a non-empty string \`${field}\``);
  }
  const envelope: Envelope = { id: event.id, type: event.type, key: event.key, occurredAt: event.occurredAt, payload: event.payload };
  return JSON.stringify(envelope);
}

/** Throws when the value is not an envelope; callers dead-letter such messages at once. */
export function decodeEvent(value: string, headers: Record<string, string>): BusEvent {
  const parsed = JSON.parse(value) as Partial<Envelope> | null;
  if (!parsed || typeof parsed.id !== 'string' || typeof parsed.type !== 'string' || typeof parsed.key !== 'string' || typeof parsed.occurredAt !== 'string') {
    throw new PermanentDeliveryError('not a bus event envelope (needs id, type, key, occurredAt)');
  }
  return { id: parsed.id, type: parsed.type, key: parsed.key, occurredAt: parsed.occurredAt, payload: parsed.payload, headers };
}

export function deadLetterHeaders(
  original: Record<string, string>,
  failure: { error: unknown; attempts: number; topic: string; group: string; kind?: FailureKind; now?: Date },
): Record<string, string> {
  const message = failure.error instanceof Error ? `${failure.error.name}: ${failure.error.message}` : String(failure.error);
  return {
    ...original,
    [DLQ_HEADERS.error]: message.slice(0, MAX_ERROR_LENGTH),
    [DLQ_HEADERS.attempts]: String(failure.attempts),
    [DLQ_HEADERS.topic]: failure.topic,
    [DLQ_HEADERS.group]: failure.group,
    [DLQ_HEADERS.failedAt]: (failure.now ?? new Date()).toISOString(),
    ...(failure.kind ? { [DLQ_HEADERS.reason]: failure.kind } : {}),
  };
}

/** Kafka header values arrive as Buffers (or arrays of them); events carry plain strings. */
export function headersToStrings(headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) out[name] = last.toString();
  }
  return out;
}

/** Delay before retry number `retry` (1-based): exponential from `baseMs`, capped. */
export function backoffMs(baseMs: number, retry: number, capMs = 30_000): number {
  return Math.min(capMs, baseMs * 2 ** (retry - 1));
}

/**
 * Runs a publish inside a producer span. Events that already carry a `traceparent` (outbox rows
 * captured it in the request that wrote them) keep it; the others continue the active trace.
 */
export function publishWithTrace(topic: string, events: BusEvent[], send: (events: BusEvent[]) => Promise<void>): Promise<void> {
  return withSpan(`${topic} publish`, SpanKind.PRODUCER, context.active(), () =>
    send(events.map((event) => (event.headers?.traceparent ? event : { ...event, headers: injectTraceHeaders({ ...event.headers }) }))),
  );
}
