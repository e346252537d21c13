import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@ticketping/logger';
import type { Registry } from '@ticketping/metrics';
import { createRedis, type RedisClient } from '@ticketping/redis';
import { deliver } from './deliver.ts';
import { DEFAULT_CONCURRENCY, runInKeyOrder } from './key-order.ts';
import { deadLetterHeaders, deadLetterTopic, decodeEvent, encodeEvent, publishWithTrace } from './envelope.ts';
import { createBusMetrics } from './metrics.ts';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_BACKOFF_MS, type Bus, type BusEvent, type SubscribeOptions, type Subscription } from './types.ts';

export interface RedisStreamsBusOptions {
  /** redis://host:port of a single node (streams of one topic must live on one node). */
  url: string;
  /**
   * Names this process's consumers. Keep it stable across restarts and unique per replica: a
   * restarted process reads its own unacknowledged entries first, in order, under the same name.
   */
  consumerName: string;
  logger: Logger;
  metrics?: Registry;
  /** Prepended to every topic and consumer group (several environments on one Redis). */
  topicPrefix?: string;
  /**
   * An entry delivered to a consumer that has not acknowledged it nor shown it is still working
   * on it for this long is claimed by another member of the group (default 30 s). A live member
   * renews its in-flight entry every third of this, however long its handler or retries take.
   */
  visibilityTimeoutMs?: number;
  /** Longest a read waits on an idle stream; also bounds how long `stop()` takes (default 500 ms). */
  blockMs?: number;
  /** Entries read per call (default 100). */
  batchSize?: number;
  /** Entries older than this are trimmed when newer ones are added (default 7 days, like a topic's retention). */
  retentionMs?: number;
}

/** An entry as XREADGROUP/XAUTOCLAIM return it; `null` fields when it was trimmed meanwhile. */
type RawEntry = [id: string, fields: string[] | null];
type ReadReply = [stream: string, entries: RawEntry[]][] | null;

const STREAM_PREFIX = 'bus:';
const READ_ERROR_BACKOFF_MS = 500;

function fieldsToRecord(fields: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i]!] = fields[i + 1]!;
  return out;
}

/**
 * Redis Streams, for processes that share one Redis but no Kafka (standalone mode): one stream per
 * topic, one consumer group per subscription group, entries acknowledged (XACK) only after the
 * handler resolved, which for `handleOnce` means after its transaction committed, or after the
 * entry was dead-lettered. Retries and dead letters go through `deliver`, as with Kafka.
 *
 * What survives what:
 * - a member that stops or crashes leaves its entries in the group's pending list; the same
 *   consumer name reads them again first when it comes back, and any other member claims them
 *   (XAUTOCLAIM) once they sat idle for the visibility timeout;
 * - durability across a Redis restart is Redis' own: run it with the append-only file on.
 *
 * Order: one member handles its entries one at a time in stream order, so one key's events keep
 * their order within a group of one member (standalone runs one process per service). Members of
 * a group share entries without regard to keys, so with several members two events of one key may
 * be handled at once; Kafka's partitions are the tool for that.
 */
export function createRedisStreamsBus(options: RedisStreamsBusOptions): Bus {
  const { url, consumerName, topicPrefix = '', visibilityTimeoutMs = 30_000, blockMs = 500, batchSize = 100, retentionMs = 7 * 24 * 3600_000 } = options;
  const log = options.logger.child({ component: 'bus', adapter: 'redis-streams' });
  const metrics = createBusMetrics(options.metrics);
  const commands: RedisClient = createRedis({ url });
  const subscriptions = new Set<Subscription>();
  /** Per group, the member numbers in use: a restarted process hands out the same names again. */
  const membersInUse = new Map<string, Set<number>>();
  const streamKey = (topic: string) => `${STREAM_PREFIX}${topicPrefix}${topic}`;
  const topicOf = (key: string) => key.slice(STREAM_PREFIX.length + topicPrefix.length);
  let closed = false;

  async function send(topic: string, messages: { key: string; value: string; headers: Record<string, string> }[]): Promise<void> {
    const minId = Math.max(0, Date.now() - retentionMs);
    const pipeline = commands.pipeline();
    for (const m of messages) pipeline.xadd(streamKey(topic), 'MINID', '~', String(minId), '*', 'k', m.key, 'v', m.value, 'h', JSON.stringify(m.headers));
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
    metrics.published.inc({ topic }, messages.length);
  }

  function takeMemberNumber(group: string): number {
    let inUse = membersInUse.get(group);
    if (!inUse) membersInUse.set(group, (inUse = new Set()));
    let n = 1;
    while (inUse.has(n)) n++;
    inUse.add(n);
    return n;
  }

  async function subscribe(subscribeOptions: SubscribeOptions): Promise<Subscription> {
    if (closed) throw new Error('redis streams bus is closed');
    const { topics, handle, maxAttempts = DEFAULT_MAX_ATTEMPTS, retryBackoffMs = DEFAULT_RETRY_BACKOFF_MS, maxRetryBackoffMs, concurrency = DEFAULT_CONCURRENCY } = subscribeOptions;
    const group = `${topicPrefix}${subscribeOptions.group}`;
    const keys = topics.map(streamKey);
    const createGroups = async () => {
      for (const key of keys) {
        // From the oldest retained entry, as a new Kafka group reads from the beginning.
        await commands.xgroup('CREATE', key, group, '0', 'MKSTREAM').catch((error: unknown) => {
          if (!String(error).includes('BUSYGROUP')) throw error;
        });
      }
    };
    await createGroups();
    const memberNumber = takeMemberNumber(group);
    const consumer = `${consumerName}-${memberNumber}`;
    const reader = createRedis({ url, maxRetriesPerRequest: 1 });
    const abort = new AbortController();
    const fields = { group: subscribeOptions.group, consumer };

    /** Resets the entry's idle time so no other member claims it while this one still works on it. */
    const renew = (key: string, id: string) => commands.xclaim(key, group, consumer, 0, id, 'JUSTID').then(() => undefined, () => undefined);

    async function handleEntry(key: string, [id, raw]: RawEntry): Promise<'done' | 'stopped'> {
      const topic = topicOf(key);
      if (!raw) {
        // Trimmed by retention before anyone handled it: nothing left to deliver.
        await commands.xack(key, group, id);
        return 'done';
      }
      const entry = fieldsToRecord(raw);
      let headers: Record<string, string> = {};
      let event: BusEvent;
      let undecodable: unknown;
      try {
        headers = JSON.parse(entry.h ?? '{}') as Record<string, string>;
        event = decodeEvent(entry.v ?? '', headers);
      } catch (error) {
        // Not ours to interpret: straight to the dead-letter stream, no retries.
        undecodable = error;
        event = { id: '', type: '', key: entry.k ?? '', payload: null, occurredAt: '', headers };
      }
      const renewing = setInterval(() => void renew(key, id), Math.max(100, Math.floor(visibilityTimeoutMs / 3)));
      // a stream entry id starts with the milliseconds it was added at
      inHandOf(topic).set(id, Number(id.split('-')[0]));
      showOldestInHand(topic);
      try {
        const outcome = await deliver({
          event,
          topic,
          group: subscribeOptions.group,
          handle: undecodable ? () => Promise.reject(undecodable) : handle,
          maxAttempts: undecodable ? 1 : maxAttempts,
          retryBackoffMs,
          ...(maxRetryBackoffMs === undefined ? {} : { maxRetryBackoffMs }),
          signal: abort.signal,
          deadLetter: (error, attempts, kind) =>
            send(deadLetterTopic(topic), [{ key: entry.k ?? '', value: entry.v ?? '', headers: deadLetterHeaders(headers, { error, attempts, topic, group: subscribeOptions.group, kind }) }]),
          metrics,
          logger: log,
        });
        if (outcome === 'done') {
          await commands.xack(key, group, id);
          inHandOf(topic).delete(id);
          showOldestInHand(topic);
        }
        // stopped: the entry stays pending for this consumer's next start, and its age keeps counting
        return outcome;
      } finally {
        clearInterval(renewing);
      }
    }

    /**
     * Entries this member holds and has not finished, per topic and id: the oldest is what the age
     * metric shows. A stopped entry stays pending, so its age keeps counting until a restart handles it.
     */
    const inHand = new Map<string, Map<string, number>>();
    const inHandOf = (topic: string) => inHand.get(topic) ?? inHand.set(topic, new Map()).get(topic)!;
    const showOldestInHand = (topic: string) => {
      const held = inHandOf(topic);
      metrics.unhandled.set(topic, subscribeOptions.group, consumer, held.size > 0 ? Math.min(...held.values()) : undefined);
    };

    /** Handles entries in order per key, several keys at once; false when stopped (the rest stays pending for redelivery). */
    async function handleAll(key: string, entries: RawEntry[]): Promise<boolean> {
      const keyOf = ([, raw]: RawEntry) => (raw ? (fieldsToRecord(raw).k ?? '') : '');
      const outcomes = await runInKeyOrder(entries, keyOf, (entry) => (abort.signal.aborted ? Promise.resolve('stopped' as const) : handleEntry(key, entry)), (o) => o === 'done', concurrency);
      return outcomes.every((o) => o === 'done');
    }

    /** Entries other members left idle past the visibility timeout (they crashed or hung). */
    async function claimAbandoned(): Promise<boolean> {
      for (const key of keys) {
        let start = '0-0';
        do {
          const [next, entries] = (await commands.xautoclaim(key, group, consumer, visibilityTimeoutMs, start, 'COUNT', batchSize)) as [string, RawEntry[], string[]];
          if (entries.length > 0) log.warn({ ...fields, topic: topicOf(key), claimed: entries.length }, 'claimed entries another member left unacknowledged');
          if (!(await handleAll(key, entries))) return false;
          start = next;
        } while (start !== '0-0' && !abort.signal.aborted);
      }
      return true;
    }

    async function refreshLag(): Promise<void> {
      for (const key of keys) {
        const groups = (await commands.xinfo('GROUPS', key)) as unknown[][];
        const info = groups.map((g) => fieldsToRecord(g.map(String))).find((g) => g.name === group);
        // Not yet delivered (lag) plus delivered but not acknowledged (pending).
        if (info) metrics.consumerLag.set({ topic: topicOf(key), group: subscribeOptions.group }, Number(info.lag ?? 0) + Number(info.pending ?? 0));
      }
    }

    async function run(): Promise<void> {
      // This member's own unacknowledged entries first (a restart under the same name), in order.
      const cursors = new Map(keys.map((key) => [key, '0']));
      let nextClaim = 0;
      while (!abort.signal.aborted) {
        try {
          if (Date.now() >= nextClaim) {
            nextClaim = Date.now() + Math.min(5_000, Math.floor(visibilityTimeoutMs / 2));
            if (!(await claimAbandoned())) return;
            await refreshLag();
          }
          const backlog = keys.filter((key) => cursors.get(key) !== '>');
          const reading = backlog.length > 0 ? backlog : keys;
          const ids = reading.map((key) => cursors.get(key) ?? '>');
          const block = backlog.length > 0 ? [] : ['BLOCK', blockMs];
          const reply = (await reader.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', batchSize, ...block, 'STREAMS', ...reading, ...ids)) as ReadReply;
          for (const key of backlog) if (!reply?.some(([k, entries]) => k === key && entries.length > 0)) cursors.set(key, '>');
          for (const [key, entries] of reply ?? []) {
            if (!(await handleAll(key, entries))) return;
            if (cursors.get(key) !== '>') cursors.set(key, entries.at(-1)![0]);
          }
        } catch (error) {
          if (abort.signal.aborted) return;
          log.warn({ ...fields, err: error }, 'redis streams read failed; retrying');
          await sleep(READ_ERROR_BACKOFF_MS, undefined, { signal: abort.signal }).catch(() => undefined);
          // What this member was given may not have been acknowledged (an XACK that failed): read
          // its own pending entries again first. A Redis that lost its data lost the group too.
          for (const key of keys) cursors.set(key, '0');
          if (String(error).includes('NOGROUP')) await createGroups().catch(() => undefined);
        }
      }
    }

    const running = run();
    let stopping: Promise<void> | undefined;
    const subscription: Subscription = {
      stop: () =>
        (stopping ??= (async () => {
          abort.abort();
          subscriptions.delete(subscription);
          await running;
          // The consumer stays in the group: its pending entries are what a restart reads first.
          reader.disconnect();
          membersInUse.get(group)?.delete(memberNumber);
        })()),
    };
    subscriptions.add(subscription);
    return subscription;
  }

  return {
    async publish(topic: string, events: BusEvent[]): Promise<void> {
      if (events.length === 0) return;
      if (closed) throw new Error('redis streams bus is closed');
      await publishWithTrace(topic, events, (traced) =>
        send(topic, traced.map((event) => ({ key: event.key, value: encodeEvent(event), headers: event.headers ?? {} }))),
      );
    },

    subscribe,

    async ready(): Promise<void> {
      const answer = await commands.ping();
      if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
    },

    async close(): Promise<void> {
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.stop()));
      commands.disconnect();
    },
  };
}
