import type { RedriveOptions, RedriveResult } from './redrive.ts';

/** One fact that happened, as it travels between services. Payloads are JSON. */
export interface BusEvent<T = unknown> {
  /** uuid; the idempotency key consumers record in their inbox. */
  id: string;
  /** e.g. `order.confirmed`. */
  type: string;
  /** The aggregate id: the partition key, so one aggregate's events stay in order. */
  key: string;
  payload: T;
  /** ISO-8601 UTC. */
  occurredAt: string;
  /** `traceparent`/`tracestate` and, on dead-lettered messages, the `x-dlq-*` fields. */
  headers?: Record<string, string>;
}

/** What a handler may report: `duplicate` (from `handleOnce`) is counted apart from `ok`. */
export type HandleResult = void | 'applied' | 'duplicate';

export type Handler = (event: BusEvent, topic: string) => Promise<HandleResult>;

export interface SubscribeOptions {
  /** Consumer group: each group receives every event once; members of a group share the work. */
  group: string;
  topics: string[];
  handle: Handler;
  /**
   * Attempts before an event whose failure the bus cannot classify goes to `<topic>.dlq`
   * (default 10, about 80 s). Transient failures (a dependency down or busy) are retried
   * without a cap; permanent ones (invalid payload, `PermanentDeliveryError`) are dead-lettered
   * at once. See failure.ts and the README's delivery policy.
   */
  maxAttempts?: number;
  /** Wait before the first retry; doubles per attempt, capped at `maxRetryBackoffMs` (default 200 ms). */
  retryBackoffMs?: number;
  /** The longest wait between two attempts (default 30 s). */
  maxRetryBackoffMs?: number;
  /**
   * How many keys are handled at once (default 8); one key's events are always handled one at a
   * time, in order. Each in-flight handler may hold a database connection: keep it below the pool.
   */
  concurrency?: number;
}

export interface Subscription {
  /** Finishes the attempt in flight (never cuts a handler short), then leaves the group. */
  stop(): Promise<void>;
}

export interface Bus {
  publish(topic: string, events: BusEvent[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /**
   * Puts dead letters of `options.topic` back on it (README § Redrive). Optional so that an
   * adapter without dead-letter topics still is a Bus; both shipped adapters have it.
   */
  redrive?(options: RedriveOptions): Promise<RedriveResult>;
  /** Resolves when the bus can reach its broker (for `/readyz`). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_MAX_ATTEMPTS = 10;
export const DEFAULT_RETRY_BACKOFF_MS = 200;

/** A bus whose dead letters can be put back (both shipped adapters). */
export interface RedrivableBus extends Bus {
  redrive(options: RedriveOptions): Promise<RedriveResult>;
}
