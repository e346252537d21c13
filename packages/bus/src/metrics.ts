import { client, type Registry } from '@ticketping/metrics';

/** Names and labels follow docs/metrics.md; the `service` label comes from the registry's default labels. */
export interface BusMetrics {
  published: client.Counter<'topic'>;
  handled: client.Counter<'topic' | 'group' | 'outcome'>;
  deadLettered: client.Counter<'topic' | 'group'>;
  consumerLag: client.Gauge<'topic' | 'group'>;
}

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
  };
}

export function createOutboxMetrics(registry: Registry = new client.Registry()): OutboxMetrics {
  return {
    pending: gauge(registry, 'ticketping_outbox_pending', 'Outbox rows not yet published', []),
    oldestPendingSeconds: gauge(registry, 'ticketping_outbox_oldest_pending_seconds', 'Age of the oldest unpublished outbox row', []),
  };
}
