import { client, type Registry } from '@ticketping/metrics';

/** Names and labels follow docs/metrics.md; the `service` label comes from the registry's default labels. */
export interface BusMetrics {
  published: client.Counter<'topic'>;
  handled: client.Counter<'topic' | 'group' | 'outcome'>;
  deadLettered: client.Counter<'topic' | 'group'>;
  consumerLag: client.Gauge<'topic' | 'group'>;
  /** Where each consumer's oldest unhandled message stands; read at scrape time. */
  unhandled: UnhandledTracker;
}

/**
 * The publish time of the oldest message each consumer holds but has not handled yet, per
 * (topic, group) and per part (a Kafka partition, a memory-bus lane). Scraped as
 * `ticketping_bus_oldest_unhandled_seconds`: it keeps growing while a message waits for its
 * retries, even when nothing else happens, which the lag (a count) cannot show.
 */
export class UnhandledTracker {
  private readonly heads = new Map<string, { topic: string; group: string; parts: Map<string, number | undefined> }>();

  /** `publishedAtMs` of the part's oldest unhandled message, or undefined when the part is caught up. */
  set(topic: string, group: string, part: string, publishedAtMs: number | undefined): void {
    const id = `${topic}\u0000${group}`;
    let entry = this.heads.get(id);
    if (!entry) this.heads.set(id, (entry = { topic, group, parts: new Map() }));
    entry.parts.set(part, publishedAtMs);
  }

  /** Drops the parts a consumer no longer owns (stopped, or lost them in a rebalance); the series stays at 0. */
  forget(partPrefix: string): void {
    for (const entry of this.heads.values()) for (const part of [...entry.parts.keys()]) if (part.startsWith(partPrefix)) entry.parts.delete(part);
  }

  ages(nowMs = Date.now()): { topic: string; group: string; seconds: number }[] {
    return [...this.heads.values()].map(({ topic, group, parts }) => {
      const oldest = Math.min(...[...parts.values()].filter((at): at is number => at !== undefined));
      return { topic, group, seconds: Number.isFinite(oldest) ? Math.max(0, (nowMs - oldest) / 1000) : 0 };
    });
  }
}

const trackers = new WeakMap<object, UnhandledTracker>();

export interface OutboxMetrics {
  pending: client.Gauge;
  oldestPendingSeconds: client.Gauge;
}

/**
 * Reuses a metric already on the registry (two buses or relays of one service share it) and
 * never touches prom-client's global registry: standalone mode runs several services per process.
 */
function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): client.Counter<L> {
  const existing = registry.getSingleMetric(name);
  return (existing as client.Counter<L> | undefined) ?? new client.Counter({ name, help, labelNames, registers: [registry] });
}

function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): client.Gauge<L> {
  const existing = registry.getSingleMetric(name);
  return (existing as client.Gauge<L> | undefined) ?? new client.Gauge({ name, help, labelNames, registers: [registry] });
}

/** Without a registry the figures are still kept, on a private registry nobody scrapes. */
export function createBusMetrics(registry: Registry = new client.Registry()): BusMetrics {
  return {
    published: counter(registry, 'ticketping_bus_published_total', 'Messages published', ['topic']),
    handled: counter(registry, 'ticketping_bus_handled_total', 'Consumer outcomes: ok, duplicate, retried, dead_lettered', ['topic', 'group', 'outcome']),
    deadLettered: counter(registry, 'ticketping_bus_dead_letter_total', 'Messages sent to <topic>.dlq', ['topic', 'group']),
    consumerLag: gauge(registry, 'ticketping_bus_consumer_lag', 'Messages not yet handled', ['topic', 'group']),
    unhandled: unhandledTracker(registry),
  };
}

/** One tracker per registry, shared by every bus on it like the other metrics. */
function unhandledTracker(registry: Registry): UnhandledTracker {
  const name = 'ticketping_bus_oldest_unhandled_seconds';
  const existing = registry.getSingleMetric(name);
  if (existing) return trackers.get(existing)!;
  const tracker = new UnhandledTracker();
  const metric = new client.Gauge({
    name,
    help: 'Age of the oldest message a consumer group has received but not handled (0 when caught up)',
    labelNames: ['topic', 'group'],
    registers: [registry],
    collect() {
      for (const { topic, group, seconds } of tracker.ages()) this.set({ topic, group }, seconds);
    },
  });
  trackers.set(metric, tracker);
  return tracker;
}

export function createOutboxMetrics(registry: Registry = new client.Registry()): OutboxMetrics {
  return {
    pending: gauge(registry, 'ticketping_outbox_pending', 'Outbox rows not yet published', []),
    oldestPendingSeconds: gauge(registry, 'ticketping_outbox_oldest_pending_seconds', 'Age of the oldest unpublished outbox row', []),
  };
}
