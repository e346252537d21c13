import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { client } from '@ticketping/metrics';
import { createBusMetrics, createOutboxMetrics } from './metrics.ts';

test('metrics land on the registry passed in, shared by a second bus, never on the global one', async () => {
  const registry = new client.Registry();
  const first = createBusMetrics(registry);
  const second = createBusMetrics(registry);
  first.published.inc({ topic: 'order.confirmed' });
  second.published.inc({ topic: 'order.confirmed' });
  createOutboxMetrics(registry).pending.set(3);
  const text = await registry.metrics();
  assert.match(text, 'ticketping_bus_published_total{topic="order.confirmed"} 2');
  assert.match(text, 'ticketping_outbox_pending 3');
  for (const name of ['ticketping_bus_handled_total', 'ticketping_bus_dead_letter_total', 'ticketping_bus_consumer_lag', 'ticketping_outbox_oldest_pending_seconds']) {
    assert.ok(registry.getSingleMetric(name), name);
  }
  assert.is(client.register.getSingleMetric('ticketping_bus_published_total'), undefined);
});

test.run();
