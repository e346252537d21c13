import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, Partitioners, logLevel, type Admin, type Producer, type logCreator } from 'kafkajs';
import type { Logger } from '@ticketping/logger';
import type { Registry } from '@ticketping/metrics';
import { deadLetterTopic, encodeEvent, headersToStrings, publishWithTrace } from './envelope.ts';
import { createBatchHandler, joinedWithin } from './kafka-consumer.ts';
import { DEFAULT_CONCURRENCY } from './key-order.ts';
import { DEFAULT_MAX_RETRY_BACKOFF_MS } from './deliver.ts';
import { createBusMetrics } from './metrics.ts';
import { eventIdOf, matchesRedrive, redriveTally, redrivenHeaders, type RedriveOptions, type RedriveResult } from './redrive.ts';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_BACKOFF_MS, type RedrivableBus, type BusEvent, type SubscribeOptions, type Subscription } from './types.ts';

export interface KafkaBusOptions {
  clientId: string;
  brokers: string[];
  logger: Logger;
  metrics?: Registry;
  /** Prepended to every topic and consumer group on the wire (one cluster, several environments). */
  topicPrefix?: string;
  /** For topics this bus creates (default 3). */
  partitions?: number;
  /** For topics this bus creates (default 1). */
  replicationFactor?: number;
  /** How long `subscribe` waits for the consumer to join its group (default 60 s). */
  joinTimeoutMs?: number;
  /** Longest a fetch waits on an idle topic; also bounds how long `stop()` takes (default 500 ms). */
  fetchMaxWaitMs?: number;
  /**
   * How long the group waits for a silent member before giving its partitions to the others
   * (default 10 s, kafkajs' 30 s otherwise). A replica killed with -9 keeps its partitions this
   * long, and its replacement waits this long to join; heartbeats go every tenth of it.
   */
  sessionTimeoutMs?: number;
}

/**
 * Routes kafkajs' own log lines into our JSON logger. kafkajs' Connection logs every error
 * response of the broker at error level, including the routine ones of a rebalance or a
 * coordinator still loading; whether the operation failed is logged by the client that retries
 * it, so those lines are demoted to warn.
 */
function kafkaLogs(log: Logger): logCreator {
  const methods = { [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug', [logLevel.NOTHING]: 'debug' } as const;
  return () => ({ namespace, level, log: { message, timestamp: _timestamp, logger: _logger, ...fields } }) => {
    const method = namespace === 'Connection' && level === logLevel.ERROR ? 'warn' : methods[level];
    log[method]({ ...fields, namespace }, message);
  };
}

/**
 * Runs `start` once and shares its promise; a failure is forgotten so the next call tries again.
 * `started()` is the promise if `start` ran (close() must not connect a client just to close it).
 */
function memo<T>(start: () => Promise<T>): { (): Promise<T>; started(): Promise<T> | undefined } {
  let pending: Promise<T> | undefined;
  const get = () => (pending ??= start().catch((error: unknown) => {
    pending = undefined;
    throw error;
  }));
  return Object.assign(get, { started: () => pending });
}

const TOPIC_READY_TIMEOUT_MS = 30_000;
/** A DLQ is small; reading one to its end should never take this long. */
const REDRIVE_TIMEOUT_MS = 120_000;

/**
 * Polls metadata until every partition of a new topic has a leader. kafkajs' own
 * `waitForLeaders` only tolerates LEADER_NOT_AVAILABLE, but a KRaft broker (Kafka 4) answers
 * UNKNOWN_TOPIC_OR_PARTITION for a moment after CreateTopics while its metadata catches up
 * (kafkajs issue #1563, KAFKA-15780), which made createTopics fail now and then.
 */
async function waitForLeaders(client: Admin, topic: string): Promise<void> {
  const deadline = Date.now() + TOPIC_READY_TIMEOUT_MS;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const [metadata] = (await client.fetchTopicMetadata({ topics: [topic] })).topics;
      if (metadata && metadata.partitions.length > 0 && metadata.partitions.every((p) => p.leader >= 0)) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(100);
  }
  throw new Error(`topic ${topic} has no partition leaders after ${TOPIC_READY_TIMEOUT_MS} ms: ${String(lastError)}`);
}

/**
 * Kafka through kafkajs: an idempotent producer with acks=all, one consumer per subscription,
 * offsets resolved only after the handler succeeded or the message was dead-lettered, and
 * topics (with their `.dlq`) created on demand.
 */
export function createKafkaBus(options: KafkaBusOptions): RedrivableBus {
  const { clientId, brokers, topicPrefix = '', partitions = 3, replicationFactor = 1, joinTimeoutMs = 60_000, fetchMaxWaitMs = 500, sessionTimeoutMs = 10_000 } = options;
  const log = options.logger.child({ component: 'bus', adapter: 'kafka' });
  const metrics = createBusMetrics(options.metrics);
  const kafka = new Kafka({ clientId, brokers, logLevel: logLevel.INFO, logCreator: kafkaLogs(options.logger.child({ component: 'kafkajs' })) });
  const subscriptions = new Set<Subscription>();
  const createdTopics = new Map<string, ReturnType<typeof memo<void>>>();
  const wire = (topic: string) => `${topicPrefix}${topic}`;

  const admin = memo(async (): Promise<Admin> => {
    const client = kafka.admin();
    await client.connect();
    return client;
  });

  const producer = memo(async (): Promise<Producer> => {
    // One request in flight keeps a key's messages in order across broker retries.
    const client = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await client.connect();
    return client;
  });

  function ensureTopic(topic: string): Promise<void> {
    let create = createdTopics.get(topic);
    if (!create) {
      create = memo(async () => {
        const client = await admin();
        // Asked first so the usual case (it exists) logs no broker error; a lost race returns false.
        if ((await client.listTopics()).includes(wire(topic))) return;
        await client.createTopics({ topics: [{ topic: wire(topic), numPartitions: partitions, replicationFactor }], waitForLeaders: false });
        await waitForLeaders(client, wire(topic));
      });
      createdTopics.set(topic, create);
    }
    return create();
  }

  async function send(topic: string, messages: { key: string; value: string | Buffer | null; headers: Record<string, string> }[]): Promise<void> {
    await ensureTopic(topic);
    await (await producer()).send({ topic: wire(topic), acks: -1, messages });
    metrics.published.inc({ topic }, messages.length);
  }

  async function subscribe(subscribeOptions: SubscribeOptions): Promise<Subscription> {
    const { group, topics, handle, maxAttempts = DEFAULT_MAX_ATTEMPTS, retryBackoffMs = DEFAULT_RETRY_BACKOFF_MS, maxRetryBackoffMs = DEFAULT_MAX_RETRY_BACKOFF_MS, concurrency = DEFAULT_CONCURRENCY } = subscribeOptions;
    await Promise.all(topics.flatMap((topic) => [ensureTopic(topic), ensureTopic(deadLetterTopic(topic))]));
    const consumer = kafka.consumer({
      groupId: wire(group),
      maxWaitTimeInMs: fetchMaxWaitMs,
      allowAutoTopicCreation: false,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.max(300, Math.floor(sessionTimeoutMs / 10)),
    });
    const abort = new AbortController();
    const memberId = randomUUID();
    // Partitions are handled at the same time, each batch with its share of the keys at once.
    const perBatch = Math.max(1, Math.ceil(concurrency / partitions));
    const batches = createBatchHandler({ group, topicPrefix, handle, maxAttempts, retryBackoffMs, maxRetryBackoffMs, signal: abort.signal, metrics, logger: log, memberId, concurrency: perBatch, send });
    // The age series exists (at 0) from the start, so an alert on it has something to read.
    for (const topic of topics) metrics.unhandled.set(topic, group, `${memberId}/-`, undefined);
    consumer.on(consumer.events.CRASH, ({ payload }) => log.error({ err: payload.error, group, restart: payload.restart }, 'kafka consumer crashed'));
    consumer.on(consumer.events.GROUP_JOIN, () => batches.reset());
    const joined = joinedWithin(consumer, joinTimeoutMs);
    await consumer.connect();
    await consumer.subscribe({ topics: topics.map(wire), fromBeginning: true });
    // autoCommit commits only resolved offsets: at the end of each batch, at least every second.
    await consumer.run({ autoCommit: true, autoCommitInterval: 1000, eachBatchAutoResolve: false, partitionsConsumedConcurrently: partitions, eachBatch: batches.eachBatch });

    let stopping: Promise<void> | undefined;
    const subscription: Subscription = {
      stop: () =>
        (stopping ??= (async () => {
          abort.abort();
          subscriptions.delete(subscription);
          batches.close();
          await consumer.disconnect();
        })()),
    };
    subscriptions.add(subscription);
    if (!(await joined)) {
      await subscription.stop();
      throw new Error(`kafka consumer group ${group} did not join within ${joinTimeoutMs} ms`);
    }
    return subscription;
  }

  /**
   * Reads `<topic>.dlq` from its start up to the end it had when the redrive began, through a
   * throwaway consumer group (deleted afterwards; it commits nothing), and publishes the
   * matching dead letters back to the topic, in their order, key and value unchanged.
   */
  async function redrive(options: RedriveOptions): Promise<RedriveResult> {
    const tally = redriveTally(options);
    const dlq = wire(deadLetterTopic(options.topic));
    const client = await admin();
    if (!(await client.listTopics()).includes(dlq)) return tally.result;
    const remaining = new Map((await client.fetchTopicOffsets(dlq)).filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]));
    if (remaining.size === 0) return tally.result;

    const groupId = wire(`redrive-${randomUUID()}`);
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: fetchMaxWaitMs, allowAutoTopicCreation: false, sessionTimeout: sessionTimeoutMs });
    let finish!: (error?: unknown) => void;
    const finished = new Promise<void>((resolve, reject) => (finish = (error) => (error ? reject(error) : resolve())));
    const timer = setTimeout(() => finish(new Error(`redrive of ${options.topic} did not reach the end of its DLQ within ${REDRIVE_TIMEOUT_MS} ms`)), REDRIVE_TIMEOUT_MS);
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [dlq], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const end = remaining.get(batch.partition);
          if (end === undefined) return;
          const back: { key: string; value: Buffer | null; headers: Record<string, string> }[] = [];
          for (const message of batch.messages) {
            if (Number(message.offset) >= end) break;
            tally.scanned();
            const headers = headersToStrings(message.headers);
            if (!matchesRedrive({ headers, writtenAtMs: Number(message.timestamp) }, options)) continue;
            tally.redriven(eventIdOf(message.value));
            back.push({ key: message.key?.toString() ?? '', value: message.value, headers: redrivenHeaders(headers) });
          }
          if (!options.dryRun && back.length > 0) {
            try {
              await send(options.topic, back);
            } catch (error) {
              // Ends the redrive as failed instead of letting kafkajs retry the batch; running it again is safe.
              finish(error);
              return;
            }
          }
          if (Number(batch.lastOffset()) + 1 >= end) remaining.delete(batch.partition);
          if (remaining.size === 0) finish();
        },
      });
      await finished;
    } finally {
      clearTimeout(timer);
      await consumer.disconnect();
      await client.deleteGroups([groupId]).catch((error: unknown) => log.warn({ err: error, groupId }, 'could not delete the redrive consumer group'));
    }
    log.info({ ...tally.result, eventIds: undefined }, 'dead letters redriven');
    return tally.result;
  }

  return {
    async publish(topic: string, events: BusEvent[]): Promise<void> {
      if (events.length === 0) return;
      await publishWithTrace(topic, events, (traced) =>
        send(topic, traced.map((event) => ({ key: event.key, value: encodeEvent(event), headers: event.headers ?? {} }))),
      );
    },

    subscribe,

    redrive,

    async ready(): Promise<void> {
      await (await admin()).describeCluster();
    },

    async close(): Promise<void> {
      await Promise.all([...subscriptions].map((s) => s.stop()));
      const clients = await Promise.allSettled([producer.started(), admin.started()]);
      await Promise.all(clients.map((c) => (c.status === 'fulfilled' ? c.value?.disconnect() : undefined)));
    },
  };
}
