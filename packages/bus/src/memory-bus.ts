import type { Logger } from '@ticketping/logger';
import type { Registry } from '@ticketping/metrics';
import { DEFAULT_MAX_RETRY_BACKOFF_MS, deliver } from './deliver.ts';
import { deadLetterHeaders, deadLetterTopic, decodeEvent, encodeEvent, publishWithTrace } from './envelope.ts';
import { createBusMetrics, type BusMetrics } from './metrics.ts';
import { eventIdOf, matchesRedrive, redriveTally, redrivenHeaders, type RedriveOptions, type RedriveResult } from './redrive.ts';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_BACKOFF_MS, type RedrivableBus, type BusEvent, type Handler, type SubscribeOptions, type Subscription } from './types.ts';

export interface MemoryBusOptions {
  logger: Logger;
  metrics?: Registry;
  /** Messages kept per topic when some group lags far behind or nobody subscribes (default 100 000). */
  maxRetainedPerTopic?: number;
}

/** Stored encoded, exactly as Kafka would carry it, so handlers get JSON copies in both modes. */
interface StoredMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
  /** For the age of the oldest unhandled message. */
  publishedAtMs: number;
}

interface TopicLog {
  messages: StoredMessage[];
  /** Offset of `messages[0]`; grows as consumed messages are dropped. */
  firstOffset: number;
  lanes: Set<Lane>;
}

interface Member {
  handle: Handler;
  maxAttempts: number;
  retryBackoffMs: number;
  maxRetryBackoffMs: number;
  abort: AbortController;
  inFlight: Set<Promise<unknown>>;
}

/** One group reading one topic: a committed offset and the members that share the work. */
interface Lane {
  group: string;
  topic: string;
  committed: number;
  members: Member[];
  turn: number;
  pumping: boolean;
}

/** Drop consumed messages in chunks, not one array shift per message. */
const TRIM_CHUNK = 256;

/**
 * The in-process bus of standalone mode, with Kafka's semantics: each group receives every event
 * once (new groups start from the oldest retained message), one topic is handled in order per
 * group, a message is committed only after its handler succeeds or it was dead-lettered, and a
 * stopped member's unfinished message goes to the next member of its group. The delivery policy
 * is Kafka's (failure.ts), but a message waiting for its retry holds its whole topic for that
 * group (the memory bus has a single "partition"); other groups and topics keep flowing.
 */
export function createMemoryBus({ logger, metrics: registry, maxRetainedPerTopic = 100_000 }: MemoryBusOptions): RedrivableBus {
  const log = logger.child({ component: 'bus', adapter: 'memory' });
  const metrics: BusMetrics = createBusMetrics(registry);
  const topics = new Map<string, TopicLog>();
  const lanes = new Map<string, Lane>();
  const pumps = new Set<Promise<void>>();
  let closed = false;

  function topicLog(topic: string): TopicLog {
    let entry = topics.get(topic);
    if (!entry) topics.set(topic, (entry = { messages: [], firstOffset: 0, lanes: new Set() }));
    return entry;
  }

  const endOffset = (t: TopicLog) => t.firstOffset + t.messages.length;

  function append(topic: string, messages: StoredMessage[]): void {
    const t = topicLog(topic);
    t.messages.push(...messages);
    const overflow = t.messages.length - maxRetainedPerTopic;
    if (overflow > 0) {
      t.messages.splice(0, overflow);
      t.firstOffset += overflow;
      log.warn({ topic, dropped: overflow }, 'memory bus retention reached; oldest messages dropped');
    }
    metrics.published.inc({ topic }, messages.length);
    for (const lane of t.lanes) {
      updateLag(lane, t);
      pump(lane);
    }
  }

  function updateLag(lane: Lane, t: TopicLog): void {
    metrics.consumerLag.set({ topic: lane.topic, group: lane.group }, endOffset(t) - lane.committed);
  }

  function trim(t: TopicLog): void {
    const slowest = Math.min(...[...t.lanes].map((lane) => lane.committed));
    if (slowest - t.firstOffset < TRIM_CHUNK) return;
    t.messages.splice(0, slowest - t.firstOffset);
    t.firstOffset = slowest;
  }

  function pump(lane: Lane): void {
    if (lane.pumping || closed) return;
    lane.pumping = true;
    const running: Promise<void> = drainLane(lane)
      .catch((error: unknown) => log.error({ err: error, topic: lane.topic, group: lane.group }, 'memory bus delivery failed'))
      .finally(() => pumps.delete(running));
    pumps.add(running);
  }

  async function drainLane(lane: Lane): Promise<void> {
    // Handlers never run inside the publisher's call stack (it may be in a DB transaction).
    await new Promise((resolve) => setImmediate(resolve));
    const t = topicLog(lane.topic);
    try {
      while (!closed && lane.members.length > 0 && lane.committed < endOffset(t)) {
        lane.committed = Math.max(lane.committed, t.firstOffset);
        const member = lane.members[lane.turn++ % lane.members.length]!;
        const stored = t.messages[lane.committed - t.firstOffset]!;
        metrics.unhandled.set(lane.topic, lane.group, 'memory', stored.publishedAtMs);
        const delivery = deliver({
          event: decodeEvent(stored.value, { ...stored.headers }),
          topic: lane.topic,
          group: lane.group,
          handle: member.handle,
          maxAttempts: member.maxAttempts,
          retryBackoffMs: member.retryBackoffMs,
          maxRetryBackoffMs: member.maxRetryBackoffMs,
          signal: member.abort.signal,
          deadLetter: async (error, attempts, kind) => {
            const headers = deadLetterHeaders(stored.headers, { error, attempts, topic: lane.topic, group: lane.group, kind });
            append(deadLetterTopic(lane.topic), [{ ...stored, headers, publishedAtMs: Date.now() }]);
          },
          metrics,
          logger: log,
        });
        member.inFlight.add(delivery);
        const outcome = await delivery.finally(() => member.inFlight.delete(delivery));
        if (outcome === 'done') {
          lane.committed += 1;
          if (lane.committed >= endOffset(t)) metrics.unhandled.set(lane.topic, lane.group, 'memory', undefined);
          updateLag(lane, t);
          trim(t);
        }
      }
    } finally {
      // Reset in the same tick as the last check, so a publish arriving now starts a new pump.
      lane.pumping = false;
    }
  }

  function laneFor(group: string, topic: string): Lane {
    const id = `${group}\u0000${topic}`;
    let lane = lanes.get(id);
    if (!lane) {
      const t = topicLog(topic);
      lane = { group, topic, committed: t.firstOffset, members: [], turn: 0, pumping: false };
      metrics.unhandled.set(topic, group, 'memory', undefined);
      lanes.set(id, lane);
      t.lanes.add(lane);
    }
    return lane;
  }

  async function stopMember(member: Member, memberLanes: Lane[]): Promise<void> {
    member.abort.abort();
    for (const lane of memberLanes) lane.members = lane.members.filter((m) => m !== member);
    await Promise.allSettled([...member.inFlight]);
    // Another member of the group takes over what this one left unfinished.
    for (const lane of memberLanes) pump(lane);
  }

  return {
    async publish(topic: string, events: BusEvent[]): Promise<void> {
      if (closed) throw new Error('memory bus is closed');
      await publishWithTrace(topic, events, async (traced) => {
        const publishedAtMs = Date.now();
        append(topic, traced.map((event) => ({ key: event.key, value: encodeEvent(event), headers: event.headers ?? {}, publishedAtMs })));
      });
    },

    async subscribe(options: SubscribeOptions): Promise<Subscription> {
      if (closed) throw new Error('memory bus is closed');
      const member: Member = {
        handle: options.handle,
        maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        retryBackoffMs: options.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS,
        maxRetryBackoffMs: options.maxRetryBackoffMs ?? DEFAULT_MAX_RETRY_BACKOFF_MS,
        abort: new AbortController(),
        inFlight: new Set(),
      };
      const memberLanes = options.topics.map((topic) => laneFor(options.group, topic));
      for (const lane of memberLanes) {
        lane.members.push(member);
        pump(lane);
      }
      let stopping: Promise<void> | undefined;
      return { stop: () => (stopping ??= stopMember(member, memberLanes)) };
    },

    /** Reads the retained part of `<topic>.dlq` (dead letters already trimmed, after every reader of it moved on, are gone). */
    async redrive(options: RedriveOptions): Promise<RedriveResult> {
      if (closed) throw new Error('memory bus is closed');
      const tally = redriveTally(options);
      const dlq = topics.get(deadLetterTopic(options.topic));
      const back: StoredMessage[] = [];
      for (const stored of dlq?.messages ?? []) {
        tally.scanned();
        if (!matchesRedrive({ headers: stored.headers, writtenAtMs: stored.publishedAtMs }, options)) continue;
        tally.redriven(eventIdOf(stored.value));
        back.push({ ...stored, headers: redrivenHeaders(stored.headers), publishedAtMs: Date.now() });
      }
      if (!options.dryRun && back.length > 0) append(options.topic, back);
      return tally.result;
    },

    async ready(): Promise<void> {
      if (closed) throw new Error('memory bus is closed');
    },

    async close(): Promise<void> {
      closed = true;
      for (const lane of lanes.values()) for (const member of lane.members) member.abort.abort();
      await Promise.allSettled([...pumps]);
    },
  };
}
