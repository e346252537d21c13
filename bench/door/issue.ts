/**
 * Tickets after a sell-out, measured: a 2,000-seat show sells out (500 orders of 4 seats, their
 * `order.confirmed` events published on Kafka in a burst, as booking's outbox relay sends them
 * when payments settle together), and the real tickets service (its own Postgres database, the
 * Kafka bus) issues the tickets. Prints:
 *  - tickets issued per second, from the first confirmation published to the last ticket issued;
 *  - the delay from an order's confirmation (its event's publication) to its tickets (the
 *    `issued_at` Postgres stamps): p50, p95, max over the orders;
 *  - with TICKETPING_SMTP_URL (the test environment's Mailpit), how long until every order's
 *    tickets e-mail was handed to the SMTP server.
 *
 *   npm run testenv -- run --only redis,postgres,kafka,mail -- node --conditions=source bench/door/issue.ts [--seats 2000] [--per-order 4] [--fans 100]
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createKafkaBus, type BusEvent } from '@ticketping/bus';
import { randomPrefix, testEnv } from '@ticketping/testing';
import { TOPICS } from '@ticketping/contracts/topics';
import { quietLogger, startTickets } from '../../services/tickets/test/harness.ts';

const { values } = parseArgs({ options: { seats: { type: 'string', default: '2000' }, 'per-order': { type: 'string', default: '4' }, fans: { type: 'string', default: '100' } } });
const SEATS = Number(values.seats);
const PER_ORDER = Number(values['per-order']);
const FANS = Number(values.fans);
const load = () => os.loadavg()[0]!.toFixed(1);
const smtpUrl = process.env.TICKETPING_SMTP_URL;

const topicPrefix = `${randomPrefix('bench-issue')}.`;
const kafka = (clientId: string) => createKafkaBus({ clientId, brokers: testEnv.kafkaBrokers, topicPrefix, logger: quietLogger('bench') });
const serviceBus = kafka('tickets');
const bookingBus = kafka('booking');
const h = await startTickets({ bus: serviceBus, env: smtpUrl ? { SMTP_URL: smtpUrl, MAIL_POLL_INTERVAL_MS: '100' } : {} });

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const count = async (table: string) => Number((await h.db.knex(table).count<{ count: string }[]>('* as count'))[0]!.count);

try {
  process.stdout.write(`ticket issuing bench · ${os.cpus().length} CPU · Node ${process.version} · ${new Date().toISOString()} · load ${load()}\n`);
  const show = await h.publishShow(SEATS);
  const fans = [];
  for (let i = 0; i < FANS; i++) fans.push(await h.auth.signUp());

  const orders: BusEvent[] = [];
  for (let i = 0; i * PER_ORDER < SEATS; i++) {
    orders.push(h.orderEvent('order.confirmed', randomUUID(), fans[i % FANS]!.id, show, show.seatIds.slice(i * PER_ORDER, (i + 1) * PER_ORDER)));
  }
  process.stdout.write(`${SEATS} seats, ${orders.length} orders of ${PER_ORDER}, ${FANS} fans${smtpUrl ? ', tickets e-mailed through Mailpit' : ', no e-mail'} · load ${load()}\n`);

  // The sell-out: every confirmation in batches of 100 (the outbox relay's batch), stamped as sent.
  const publishedAt = new Map<string, number>();
  const started = Date.now();
  for (let i = 0; i < orders.length; i += 100) {
    const batch = orders.slice(i, i + 100).map((e) => ({ ...e, occurredAt: new Date().toISOString() }));
    await bookingBus.publish(TOPICS.bookingOrders, batch);
    const now = Date.now();
    for (const e of batch) publishedAt.set((e.payload as { orderId: string }).orderId, now);
  }
  const publishSeconds = (Date.now() - started) / 1000;

  const deadline = Date.now() + 600_000;
  while ((await count('tickets')) < SEATS) {
    if (Date.now() > deadline) throw new Error(`only ${await count('tickets')} of ${SEATS} tickets issued in 10 minutes`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const rows = (await h.db.knex('tickets').select('order_id').min('issued_at as first').max('issued_at as last').groupBy('order_id')) as Array<{ order_id: string; first: Date; last: Date }>;
  const lastIssued = Math.max(...rows.map((r) => r.last.getTime()));
  const delays = rows.map((r) => r.last.getTime() - publishedAt.get(r.order_id)!).sort((a, b) => a - b);
  const issueSeconds = (lastIssued - started) / 1000;
  process.stdout.write(`confirmations published in ${publishSeconds.toFixed(1)} s; ${SEATS} tickets issued in ${issueSeconds.toFixed(1)} s: ${Math.round(SEATS / issueSeconds)} tickets/s · load ${load()}\n`);
  process.stdout.write(`confirmation → tickets (per order, ${rows.length} orders): p50 ${percentile(delays, 0.5)} ms, p95 ${percentile(delays, 0.95)} ms, max ${delays.at(-1)} ms\n`);

  if (smtpUrl) {
    // Mails go out behind the tickets (a pass of 10 at a time per replica): how far they got in 10 minutes.
    const pending = async () => Number((await h.db.knex('ticket_mails').whereNull('sent_at').whereNull('failed_at').count<{ count: string }[]>('* as count'))[0]!.count);
    const mailDeadline = Date.now() + 600_000;
    while ((await pending()) > 0 && Date.now() < mailDeadline) await new Promise((r) => setTimeout(r, 500));
    const sent = (await h.db.knex('ticket_mails').whereNotNull('sent_at').max('sent_at as last').count<Array<{ last: Date | null; count: string }>>('* as count'))[0]!;
    const seconds = sent.last ? (sent.last.getTime() - started) / 1000 : 0;
    process.stdout.write(`tickets e-mails: ${sent.count} of ${orders.length} handed to SMTP, the last ${seconds.toFixed(1)} s after the first confirmation (${(Number(sent.count) / Math.max(seconds, 1)).toFixed(1)} mails/s); ${await pending()} still waiting · load ${load()}\n`);
  }
} finally {
  await h.close();
  await Promise.all([serviceBus.close(), bookingBus.close()]);
}
