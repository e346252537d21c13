/**
 * The tickets service on a real Kafka broker, as in a cluster: booking's `order.confirmed` arriving
 * twice (at-least-once delivery) issues each ticket once, and the refund revokes them; both facts
 * leave through the outbox onto `tickets.tickets`.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createKafkaBus, type Bus, type BusEvent } from '@ticketping/bus';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import { TOPICS } from '../src/tickets/tickets.events.ts';
import { quietLogger, recordEvents, startTickets, type Harness } from './harness.ts';

const topicPrefix = `${randomPrefix('tickets')}.`;
const kafka = (clientId: string) => createKafkaBus({ clientId, brokers: testEnv.kafkaBrokers, topicPrefix, logger: quietLogger() });
let serviceBus: Bus;
let bookingBus: Bus;
let h: Harness;
let recorder: Awaited<ReturnType<typeof recordEvents>>;

test.before(async () => {
  serviceBus = kafka('tickets');
  bookingBus = kafka('booking');
  h = await startTickets({ bus: serviceBus });
  recorder = await recordEvents(bookingBus, [TOPICS.tickets]);
});
test.after(async () => {
  await recorder?.stop();
  await h?.close();
  await Promise.all([serviceBus?.close(), bookingBus?.close()]);
});

const ofOrder = (type: string, orderId: string) => recorder.of(type).filter((e) => (e.payload as { orderId: string }).orderId === orderId);

test('order.confirmed delivered twice over Kafka issues each ticket once; order.refunded revokes them', async () => {
  const show = await h.publishShow(2);
  const fan = await h.auth.signUp();
  const orderId = randomUUID();
  const confirmed: BusEvent = h.orderEvent('order.confirmed', orderId, fan.id, show, show.seatIds);
  await bookingBus.publish(TOPICS.orders, [confirmed]); // the same event, redelivered
  await bookingBus.publish(TOPICS.orders, [confirmed]);
  const issued = await eventually(() => (ofOrder('ticket.issued', orderId).length >= 2 ? ofOrder('ticket.issued', orderId) : undefined), 30_000);
  await eventually(async () => (await h.db.knex('inbox').where('event_id', confirmed.id).first()) !== undefined, 30_000);
  await eventually(async () => (await h.db.knex('outbox').whereNull('published_at').first()) === undefined, 30_000);
  assert.is((await h.db.knex('tickets').where('order_id', orderId)).length, 2);
  assert.is(ofOrder('ticket.issued', orderId).length, 2, 'no ticket issued twice');
  assert.equal(issued.map((e) => (e.payload as { seatId: string }).seatId).sort(), [...show.seatIds].sort());
  assert.ok(issued.every((e) => e.key === (e.payload as { ticketId: string }).ticketId), 'keyed by ticket');

  await bookingBus.publish(TOPICS.orders, [h.orderEvent('order.refunded', orderId, fan.id, show, show.seatIds)]);
  const revoked = await eventually(() => (ofOrder('ticket.revoked', orderId).length === 2 ? ofOrder('ticket.revoked', orderId) : undefined), 30_000);
  assert.ok(revoked.every((e) => (e.payload as { reason: string }).reason === 'ORDER_REFUNDED'));
});

test.run();
