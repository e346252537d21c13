import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Logger } from '@ticketping/logger';
import { attemptDelivery, type AttemptOutcome } from './deliver.ts';
import { runInKeyOrder } from './key-order.ts';
import { deadLetterHeaders, deadLetterTopic, decodeEvent, headersToStrings } from './envelope.ts';
import type { BusMetrics } from './metrics.ts';
import type { BusEvent, Handler } from './types.ts';

export interface BatchHandlerOptions {
  group: string;
  topicPrefix: string;
  handle: Handler;
  maxAttempts: number;
  retryBackoffMs: number;
  maxRetryBackoffMs: number;
  signal: AbortSignal;
  metrics: BusMetrics;
  logger: Logger;
  /** Tells this subscription's parts apart in the shared unhandled-age tracker. */
  memberId: string;
  /** Keys handled at once within a batch (key-order.ts). */
  concurrency: number;
  /** Publishes to a (logical) topic: used for the dead letters. */
  send(topic: string, messages: { key: string; value: Buffer | null; headers: Record<string, string> }[]): Promise<void>;
}

export interface BatchHandler {
  eachBatch(payload: EachBatchPayload): Promise<void>;
  /** A rebalance or a stop: forget retry counts and ages of partitions this member may no longer own. */
  reset(): void;
  /** Cancels the pending resumes (the consumer is going away). */
  close(): void;
}

/**
 * kafkajs `eachBatch` for one subscription: a batch's keys at once and each key's messages in
 * order (key-order.ts); an offset is resolved (and so committed) only once it and every offset
 * before it were handled or dead-lettered. A redelivery after a crash may therefore bring back
 * messages of other keys that were already handled: the consumer's inbox makes that harmless.
 *
 * A message to retry does not hold the consumer: its partition is paused and the rest of its key
 * stays unresolved; a timer resumes the partition after the backoff and kafkajs fetches again
 * from the oldest unresolved message. Meanwhile the subscription's other partitions keep flowing.
 * Kafka can only pause a whole partition, so the keys that share it with the failing one wait
 * for the next fetch too: order per key holds, and more partitions mean fewer keys wait. The attempt count lives in memory: a
 * member that takes the partition over starts counting again (only unclassified failures are
 * capped, so this can only delay a dead letter). A stop or a rebalance leaves the rest of the
 * batch unresolved, to be fetched again by whoever owns the partition next.
 */
export function createBatchHandler(o: BatchHandlerOptions): BatchHandler {
  const lagByPartition = new Map<string, Map<number, number>>();
  const attempts = new Map<string, number>();
  const resumes = new Set<NodeJS.Timeout>();

  function recordLag(topic: string, partition: number, lag: number): void {
    let byPartition = lagByPartition.get(topic);
    if (!byPartition) lagByPartition.set(topic, (byPartition = new Map()));
    byPartition.set(partition, lag);
    o.metrics.consumerLag.set({ topic, group: o.group }, [...byPartition.values()].reduce((sum, n) => sum + n, 0));
  }

  function attemptMessage(topic: string, message: KafkaMessage, attempt: number): Promise<AttemptOutcome> {
    const headers = headersToStrings(message.headers);
    const key = message.key?.toString() ?? '';
    let event: BusEvent;
    let undecodable: unknown;
    try {
      event = decodeEvent(message.value?.toString() ?? '', headers);
    } catch (error) {
      // Not ours to interpret (a foreign producer): a permanent failure, dead-lettered untouched.
      undecodable = error;
      event = { id: '', type: '', key, payload: null, occurredAt: '', headers };
    }
    return attemptDelivery(
      {
        event,
        topic,
        group: o.group,
        handle: undecodable ? () => Promise.reject(undecodable) : o.handle,
        maxAttempts: o.maxAttempts,
        retryBackoffMs: o.retryBackoffMs,
        maxRetryBackoffMs: o.maxRetryBackoffMs,
        signal: o.signal,
        deadLetter: (error, count, kind) =>
          o.send(deadLetterTopic(topic), [{ key, value: message.value, headers: deadLetterHeaders(headers, { error, attempts: count, topic, group: o.group, kind }) }]),
        metrics: o.metrics,
        logger: o.logger,
      },
      attempt,
    );
  }

  async function eachBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale, pause }: EachBatchPayload): Promise<void> {
    const topic = batch.topic.slice(o.topicPrefix.length);
    const part = `${o.memberId}/${batch.partition}`;
    const { messages } = batch;
    // Offsets are committed in order: only the run of handled messages from the batch's start.
    const handled = new Set<number>();
    let resolvedUpTo = 0;
    let resumeTimer: NodeJS.Timeout | undefined;
    const showOldest = () => {
      const oldest = messages[resolvedUpTo];
      o.metrics.unhandled.set(topic, o.group, part, oldest ? Number(oldest.timestamp) : undefined);
    };
    showOldest();

    async function handleMessage(index: number): Promise<'done' | 'stopped' | 'retry'> {
      if (!isRunning() || isStale() || o.signal.aborted) return 'stopped';
      const message = messages[index]!;
      const id = `${batch.topic}/${batch.partition}/${message.offset}`;
      const attempt = (attempts.get(id) ?? 0) + 1;
      const outcome = await attemptMessage(topic, message, attempt);
      if (outcome.status === 'retry') {
        attempts.set(id, attempt);
        // Kafka pauses a whole partition: the first retry of the batch pauses it and sets when it
        // resumes; kafkajs then fetches again from the oldest unresolved offset.
        if (!resumeTimer) {
          const resume = pause();
          resumeTimer = setTimeout(() => {
            resumes.delete(resumeTimer!);
            resume();
          }, outcome.delayMs);
          resumes.add(resumeTimer);
        }
        return 'retry';
      }
      attempts.delete(id);
      handled.add(index);
      if (index === resolvedUpTo) {
        while (handled.has(resolvedUpTo)) resolvedUpTo++;
        const last = messages[resolvedUpTo - 1]!.offset;
        resolveOffset(last);
        const lag = Number(batch.highWatermark) - Number(last) - 1;
        recordLag(topic, batch.partition, lag);
        // Caught up: nothing waits. Behind: the next batch brings the next head; until then this one is the best bound.
        if (lag <= 0) o.metrics.unhandled.set(topic, o.group, part, undefined);
        else showOldest();
      }
      await heartbeat();
      await commitOffsetsIfNecessary();
      return 'done';
    }

    const indexes = messages.map((_, index) => index);
    await runInKeyOrder(indexes, (index) => messages[index]!.key?.toString() ?? '', handleMessage, (outcome) => outcome === 'done', o.concurrency);
  }

  return {
    eachBatch,
    reset() {
      attempts.clear();
      o.metrics.unhandled.forget(`${o.memberId}/`);
    },
    close() {
      for (const timer of resumes) clearTimeout(timer);
      resumes.clear();
      o.metrics.unhandled.forget(`${o.memberId}/`);
    },
  };
}

/** Resolves true once the consumer joined its group (it has partitions), false after `timeoutMs`. */
export function joinedWithin(consumer: Consumer, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      removeListener();
      resolve(false);
    }, timeoutMs);
    const removeListener = consumer.on(consumer.events.GROUP_JOIN, () => {
      clearTimeout(timer);
      removeListener();
      resolve(true);
    });
  });
}
