/**
 * Booking and payment together over a real Kafka, each on its own database, as in a cluster:
 * order → payment → confirmation, and the late payment that must be given back.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSigner, generateSigningKey, publicJwks, type TokenSigner } from '@ticketping/auth-tokens';
import { bookingConfigSchema } from '@ticketping/booking/config';
import { MIGRATIONS_DIRECTORY as BOOKING_MIGRATIONS, SCHEMA as BOOKING_SCHEMA } from '@ticketping/booking/migrate';
import { createService as createBooking, type BookingService } from '@ticketping/booking/service';
import { createKafkaBus, type Bus } from '@ticketping/bus';
import { createTestDatabase, type TestDatabase } from '@ticketping/db/testing';
import { listen, type RunningServer } from '@ticketping/http';
import { createMetrics } from '@ticketping/metrics';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import { paymentConfigSchema } from '../src/config.ts';
import { MIGRATIONS_DIRECTORY as PAYMENT_MIGRATIONS, SCHEMA as PAYMENT_SCHEMA } from '../src/migrate.ts';
import { createSimulatedProvider, type SimulatedProvider } from '../src/provider/simulated-provider.ts';
import { createService as createPayment, type PaymentService } from '../src/service.ts';
import { GOOD, INTERNAL_TOKEN, OTHER, card, quietLogger } from './harness.ts';
import { placeOrder, publishPerformance as publishSale } from './sale.ts';

const HOLD_SECONDS = 3;
const SLOW_CARD_MS = 2500;
const closers: Array<() => Promise<unknown>> = [];
let bookingDb: TestDatabase;
let paymentDb: TestDatabase;
let booking: BookingService;
let payment: PaymentService;
let bookingUrl: string;
let paymentUrl: string;
let signer: TokenSigner;
let simulator: SimulatedProvider;
let catalogBus: Bus;

test.before(async () => {
  const topicPrefix = `${randomPrefix('saga')}.`;
  const kafka = (clientId: string) => {
    const bus = createKafkaBus({ clientId, brokers: testEnv.kafkaBrokers, topicPrefix, logger: quietLogger() });
    closers.push(() => bus.close());
    return bus;
  };
  [bookingDb, paymentDb] = await Promise.all([
    createTestDatabase(testEnv.postgresUrl, [{ directory: BOOKING_MIGRATIONS, schema: BOOKING_SCHEMA }]),
    createTestDatabase(testEnv.postgresUrl, [{ directory: PAYMENT_MIGRATIONS, schema: PAYMENT_SCHEMA }]),
  ]);
  closers.push(() => bookingDb.drop(), () => paymentDb.drop());
  const key = await generateSigningKey();
  signer = await createSigner('ticketping-queue', key);
  const bookingConfig = bookingConfigSchema.parse({
    INTERNAL_TOKEN, QUEUE_JWKS: JSON.stringify(publicJwks([key])), HOLD_TTL_SECONDS: String(HOLD_SECONDS), HOLD_EXPIRY_GRACE_SECONDS: '0', HOLD_SWEEP_INTERVAL_MS: '100', OUTBOX_POLL_INTERVAL_MS: '50',
  });
  booking = createBooking({ config: bookingConfig, logger: quietLogger(), metrics: createMetrics('booking', { defaultMetrics: false }), db: bookingDb.knex, bus: kafka('booking') });
  const paymentConfig = paymentConfigSchema.parse({ INTERNAL_TOKEN, OUTBOX_POLL_INTERVAL_MS: '50', REFUND_INTERVAL_MS: '200' });
  simulator = createSimulatedProvider({ delayMs: SLOW_CARD_MS, mode: 'normal', slowMs: 0 });
  payment = createPayment({ config: paymentConfig, logger: quietLogger(), metrics: createMetrics('payment', { defaultMetrics: false }), db: paymentDb.knex, bus: kafka('payment'), provider: simulator });
  await Promise.all([booking.start(), payment.start()]);
  closers.push(() => booking.stop(), () => payment.stop());
  const servers: RunningServer[] = await Promise.all([listen(booking.app, 0), listen(payment.app, 0)]);
  closers.push(...servers.map((s) => () => s.close()));
  bookingUrl = `http://127.0.0.1:${servers[0]!.port}`;
  paymentUrl = `http://127.0.0.1:${servers[1]!.port}`;
  catalogBus = kafka('catalog');
});
test.after(async () => {
  for (const close of closers.reverse()) await close();
});

const publishPerformance = (seats: number) => publishSale(catalogBus, bookingDb.knex, seats, { capacity: 10, admitPerMinute: 60 });
const order = (fan: string, sale: { performanceId: string; scheduleId: string }, seatIds: string[]) => placeOrder(bookingUrl, signer, fan, sale, seatIds);

async function pay(fan: string, orderId: string, cardNumber: string) {
  const res = await fetch(`${paymentUrl}/api/v1/payments`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': fan, 'idempotency-key': randomUUID() },
    body: JSON.stringify({ orderId, method: card(cardNumber) }),
  });
  return { status: res.status, body: (await res.json()) as { id: string; status: string; amount: number } };
}

const orderStatus = async (fan: string, orderId: string) => {
  const res = await fetch(`${bookingUrl}/api/v1/orders/${orderId}`, { headers: { 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': fan } });
  return ((await res.json()) as { status: string }).status;
};

test('the fan pays right after ordering; the order is CONFIRMED within 2 s of the payment succeeding', async () => {
  const perf = await publishPerformance(2);
  const fan = randomUUID();
  const created = await order(fan, perf, [perf.seatIds[0]!]);
  const paid = await pay(fan, created.id, GOOD); // no wait: order.created may not have reached payment yet
  assert.is(paid.status, 201);
  assert.is(paid.body.status, 'SUCCEEDED');
  assert.is(paid.body.amount, 88_000, 'the amount is the order’s');
  const succeededAt = Date.now();
  await eventually(async () => (await orderStatus(fan, created.id)) === 'CONFIRMED', 5000, 20);
  const took = Date.now() - succeededAt;
  assert.ok(took < 2000, `confirmed ${took} ms after the payment succeeded`);
});

test('a payment that lands after the hold expired is refunded automatically; the seat stays with the next fan', async () => {
  const perf = await publishPerformance(1);
  const late = randomUUID();
  const created = await order(late, perf, [perf.seatIds[0]!]);
  await eventually(async () => (await paymentDb.knex('orders').where('order_id', created.id).first()) !== undefined, 10_000);
  // One second before the deadline the fan pays with a card the provider takes SLOW_CARD_MS to
  // approve: payment accepts it (the hold is live), the hold runs out during the charge.
  await new Promise((resolve) => setTimeout(resolve, Date.parse(created.expiresAt) - 1000 - Date.now()));
  const paid = await pay(late, created.id, OTHER);
  assert.is(paid.body.status, 'SUCCEEDED');
  await eventually(async () => {
    const p = await fetch(`${paymentUrl}/api/v1/payments/${paid.body.id}`, { headers: { 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': late } });
    return ((await p.json()) as { status: string }).status === 'REFUNDED';
  }, 15_000, 100);
  assert.is(await orderStatus(late, created.id), 'EXPIRED');
  assert.equal([...simulator.ledger.refunds.values()].filter((r) => r.paymentId === paid.body.id).length, 1);
  const next = randomUUID();
  const resold = await order(next, perf, [perf.seatIds[0]!]);
  const resoldPayment = await pay(next, resold.id, GOOD);
  assert.is(resoldPayment.body.status, 'SUCCEEDED');
  await eventually(async () => (await orderStatus(next, resold.id)) === 'CONFIRMED', 5000, 20);
  const holders = await bookingDb.knex('seat_holds').where('seat_id', perf.seatIds[0]).select('order_id');
  assert.equal(holders, [{ order_id: resold.id }], 'one seat, one order');
});

test.run();
