/**
 * A fan pays before `order.created` reached payment (the bus lags in an on-sale's peak): payment
 * reads the order from booking, as that fan, instead of refusing the payment. Here payment's bus
 * never carries booking's events at all, so only the read can find the order.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSigner, generateSigningKey, publicJwks, type TokenSigner } from '@ticketping/auth-tokens';
import { bookingConfigSchema } from '@ticketping/booking/config';
import { MIGRATIONS_DIRECTORY as BOOKING_MIGRATIONS, SCHEMA as BOOKING_SCHEMA } from '@ticketping/booking/migrate';
import { createService as createBooking } from '@ticketping/booking/service';
import { createMemoryBus, type Bus } from '@ticketping/bus';
import { createTestDatabase, type TestDatabase } from '@ticketping/db/testing';
import { listen } from '@ticketping/http';
import { createMetrics } from '@ticketping/metrics';
import { testEnv } from '@ticketping/testing';
import { paymentConfigSchema } from '../src/config.ts';
import { MIGRATIONS_DIRECTORY as PAYMENT_MIGRATIONS, SCHEMA as PAYMENT_SCHEMA } from '../src/migrate.ts';
import { createSimulatedProvider } from '../src/provider/simulated-provider.ts';
import { createService as createPayment } from '../src/service.ts';
import { GOOD, INTERNAL_TOKEN, card, quietLogger } from './harness.ts';
import { placeOrder, publishPerformance } from './sale.ts';

const closers: Array<() => Promise<unknown>> = [];
let bookingDb: TestDatabase;
let paymentDb: TestDatabase;
let bookingBus: Bus;
let bookingUrl: string;
let paymentUrl: string;
let signer: TokenSigner;

test.before(async () => {
  [bookingDb, paymentDb] = await Promise.all([
    createTestDatabase(testEnv.postgresUrl, [{ directory: BOOKING_MIGRATIONS, schema: BOOKING_SCHEMA }]),
    createTestDatabase(testEnv.postgresUrl, [{ directory: PAYMENT_MIGRATIONS, schema: PAYMENT_SCHEMA }]),
  ]);
  closers.push(() => bookingDb.drop(), () => paymentDb.drop());
  const key = await generateSigningKey();
  signer = await createSigner('ticketping-queue', key);
  bookingBus = createMemoryBus({ logger: quietLogger() });
  const booking = createBooking({
    config: bookingConfigSchema.parse({ INTERNAL_TOKEN, QUEUE_JWKS: JSON.stringify(publicJwks([key])), OUTBOX_POLL_INTERVAL_MS: '50' }),
    logger: quietLogger(), metrics: createMetrics('booking', { defaultMetrics: false }), db: bookingDb.knex, bus: bookingBus,
  });
  await booking.start();
  closers.push(() => booking.stop(), () => bookingBus.close());
  const bookingServer = await listen(booking.app, 0);
  closers.push(() => bookingServer.close());
  bookingUrl = `http://127.0.0.1:${bookingServer.port}`;

  const paymentBus = createMemoryBus({ logger: quietLogger() });
  const payment = createPayment({
    config: paymentConfigSchema.parse({ INTERNAL_TOKEN, OUTBOX_POLL_INTERVAL_MS: '50', BOOKING_URL: bookingUrl, ORDER_ARRIVAL_WAIT_MS: '200' }),
    logger: quietLogger(), metrics: createMetrics('payment', { defaultMetrics: false }), db: paymentDb.knex, bus: paymentBus,
    provider: createSimulatedProvider({ delayMs: 10, mode: 'normal', slowMs: 0 }),
  });
  await payment.start();
  closers.push(() => payment.stop(), () => paymentBus.close());
  const paymentServer = await listen(payment.app, 0);
  closers.push(() => paymentServer.close());
  paymentUrl = `http://127.0.0.1:${paymentServer.port}`;
});
test.after(async () => {
  for (const close of closers.reverse()) await close();
});

async function pay(fan: string, orderId: string) {
  const res = await fetch(`${paymentUrl}/api/v1/payments`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': fan, 'idempotency-key': randomUUID() },
    body: JSON.stringify({ orderId, method: card(GOOD) }),
  });
  return { status: res.status, body: (await res.json()) as { status?: string; amount?: number; code?: string } };
}

test('an order payment has not heard of is read from booking: the fan is charged the order\'s amount', async () => {
  const sale = await publishPerformance(bookingBus, bookingDb.knex, 2);
  const fan = randomUUID();
  const order = await placeOrder(bookingUrl, signer, fan, sale, [sale.seatIds[0]!]);
  const paid = await pay(fan, order.id);
  assert.is(paid.status, 201, JSON.stringify(paid.body));
  assert.is(paid.body.status, 'SUCCEEDED');
  assert.is(paid.body.amount, 88_000, 'the amount is booking\'s, never the request\'s');
  const copy = await paymentDb.knex('orders').where('order_id', order.id).first();
  assert.is(copy?.user_id, fan, 'kept as payment\'s copy of the order');
});

test('someone else\'s order stays "not found", read or not', async () => {
  const sale = await publishPerformance(bookingBus, bookingDb.knex, 1);
  const order = await placeOrder(bookingUrl, signer, randomUUID(), sale, [sale.seatIds[0]!]);
  const stranger = await pay(randomUUID(), order.id);
  assert.is(stranger.status, 404);
  assert.is(stranger.body.code, 'ORDER_NOT_FOUND');
  const unknown = await pay(randomUUID(), randomUUID());
  assert.is(unknown.status, 404);
});

test.run();
