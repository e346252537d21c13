import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Logger } from '@ticketping/logger';
import { deliver } from './deliver.ts';
import { deadLetterHeaders, deadLetterTopic, decodeEvent, headersToStrings } from './envelope.ts';
import type { BusMetrics } from './metrics.ts';
import type { BusEvent, Handler } from './types.ts';

export interface BatchHandlerOptions {
  group: string;
  topicPrefix: string;
  handle: Handler;
  maxAttempts: number;
  retryBackoffMs: number;
  signal: AbortSignal;
  metrics: BusMetrics;
  logger: Logger;
  /** Publishes to a (logical) topic: used for the dead letters. */
  send(topic: string, messages: { key: string; value: Buffer | null; headers: Record<string, string> }[]): Promise<void>;
}

/**
 * kafkajs `eachBatch` for one subscription: messages one by one, each resolved (and so committed)
 * only after `deliver` says it was handled or dead-lettered. A stop or a rebalance leaves the
 * rest of the batch unresolved, to be fetched again by whoever owns the partition next.
 */
export function createBatchHandler(o: BatchHandlerOptions): (payload: EachBatchPayload) => Promise<void> {
  const lagByPartition = new Map<string, Map<number, number>>();

  function recordLag(topic: string, partition: number, lag: number): void {
    let byPartition = lagByPartition.get(topic);
    if (!byPartition) lagByPartition.set(topic, (byPartition = new Map()));
    byPartition.set(partition, lag);
    o.metrics.consumerLag.set({ topic, group: o.group }, [...byPartition.values()].reduce((sum, n) => sum + n, 0));
  }

  function handleMessage(topic: string, message: KafkaMessage, heartbeat: () => Promise<void>): Promise<'done' | 'stopped'> {
    const headers = headersToStrings(message.headers);
    const key = message.key?.toString() ?? '';
    let event: BusEvent;
    let undecodable: unknown;
    try {
      event = decodeEvent(message.value?.toString() ?? '', headers);
    } catch (error) {
      // Not ours to interpret (a foreign producer): straight to the dead-letter topic, no retries.
      undecodable = error;
      event = { id: '', type: '', key, payload: null, occurredAt: '', headers };
    }
    return deliver({
      event,
      topic,
      group: o.group,
      handle: undecodable ? () => Promise.reject(undecodable) : o.handle,
      maxAttempts: undecodable ? 1 : o.maxAttempts,
      retryBackoffMs: o.retryBackoffMs,
      signal: o.signal,
      heartbeat,
      deadLetter: (error, attempts) =>
        o.send(deadLetterTopic(topic), [{ key, value: message.value, headers: deadLetterHeaders(headers, { error, attempts, topic, group: o.group }) }]),
      metrics: o.metrics,
      logger: o.logger,
    });
  }

  return async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
    const topic = batch.topic.slice(o.topicPrefix.length);
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || o.signal.aborted) return;
      if ((await handleMessage(topic, message, heartbeat)) === 'stopped') return;
      resolveOffset(message.offset);
      recordLag(topic, batch.partition, Number(batch.highWatermark) - Number(message.offset) - 1);
      await heartbeat();
      await commitOffsetsIfNecessary();
    }
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
