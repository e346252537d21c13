/**
 * 10,000 fans racing for 1,000 seats against booking (a separate process, real Postgres and
 * Kafka from the test environment). Prints holds per second, hold latency percentiles, and
 * checks the outcome in the database: exactly one live order per seat, none double-sold.
 *
 *   node_modules/.bin/node --conditions=source bench/booking/run.ts [--fans 10000] [--seats 1000] [--concurrency 200] [--attempts 5] [--pool 20]
 *
 * Exits 1 if a seat was sold twice, a seat was left unsold, or a fan got an answer other than
 * 201 or 409 SEAT_UNAVAILABLE.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createSigner, generateSigningKey, publicJwks } from '@ticketping/auth-tokens';
import { createKafkaBus } from '@ticketping/bus';
import { createTestDatabase } from '@ticketping/db/testing';
import { createLogger } from '@ticketping/logger';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import { MIGRATIONS_DIRECTORY, SCHEMA } from '../../services/booking/src/migrate.ts';
import { startBookingProcess } from '../../services/booking/test/booking-process.ts';
import { INTERNAL_TOKEN, catalogEvents } from '../../services/booking/test/harness.ts';
import { percentile, race, type Fan } from './fans.ts';

const { values: args } = parseArgs({
  options: {
    fans: { type: 'string', default: '10000' },
    seats: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '200' },
    attempts: { type: 'string', default: '5' },
    pool: { type: 'string', default: '20' },
  },
});
const fans = Number(args.fans);
const seats = Number(args.seats);
const concurrency = Number(args.concurrency);
const print = (line = '') => process.stdout.write(`${line}\n`);
const logger = createLogger({ service: 'bench', level: 'warn' });

const db = await createTestDatabase(testEnv.postgresUrl, [{ directory: MIGRATIONS_DIRECTORY, schema: SCHEMA }]);
const topicPrefix = `${randomPrefix('bench')}.`;
const bus = createKafkaBus({ clientId: 'bench', brokers: testEnv.kafkaBrokers, topicPrefix, logger });
const key = await generateSigningKey();
const signer = await createSigner('ticketping-queue', key);
const booking = await startBookingProcess({
  DATABASE_URL: db.url, DATABASE_POOL_MAX: String(args.pool), KAFKA_BROKERS: testEnv.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: topicPrefix,
  INTERNAL_TOKEN, QUEUE_JWKS: JSON.stringify(publicJwks([key])), LOG_LEVEL: 'warn',
});
let failed = false;
try {
  const { events, seeded } = catalogEvents({ seats, maxSeatsPerOrder: 4 });
  await bus.publish('catalog.performances', events);
  await eventually(async () => Number((await db.knex('seats').count<{ n: number }[]>('* as n'))[0]!.n) === seats, 60_000);

  const crowd: Fan[] = await Promise.all(Array.from({ length: fans }, async () => {
    const id = randomUUID();
    const { token } = await signer.sign({ subject: id, audience: seeded.performanceId, expiresInSeconds: 3600 });
    return { id, headers: { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': id, 'x-user-role': 'USER', 'x-queue-token': token } };
  }));

  const result = await race({ origin: booking.base, scheduleId: seeded.scheduleId, seatIds: seeded.seatIds, fans: crowd, concurrency, attemptsPerFan: Number(args.attempts) });

  const live = await db.knex.raw(`select count(*)::int as orders, count(distinct os.seat_id)::int as seats, (count(*) - count(distinct os.seat_id))::int as double_sold
    from orders o join order_seats os on os.order_id = o.id where o.status in ('PENDING_PAYMENT', 'CONFIRMED')`);
  const { orders, seats: sold, double_sold: doubleSold } = live.rows[0] as { orders: number; seats: number; double_sold: number };
  const holds = Number((await db.knex('seat_holds').count<{ n: number }[]>('* as n'))[0]!.n);
  const unexpected = [...result.statuses].filter(([status]) => status !== '201' && status !== '409 SEAT_UNAVAILABLE');
  const wonTwice = result.won.length - new Set(result.won).size;

  print(`booking bench: ${fans} fans, ${seats} seats, ${concurrency} requests in flight, booking DB pool ${args.pool}`);
  print(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString()}`);
  print(`requests: ${result.latencies.length} in ${(result.wallMs / 1000).toFixed(2)} s → ${(result.latencies.length / (result.wallMs / 1000)).toFixed(0)} req/s; answers ${JSON.stringify(Object.fromEntries(result.statuses))}`);
  print(`holds: ${result.heldLatencies.length} → ${(result.heldLatencies.length / (result.wallMs / 1000)).toFixed(0)} holds/s`);
  const line = (label: string, xs: number[]) => print(`${label}: p50 ${percentile(xs, 50).toFixed(1)} ms, p95 ${percentile(xs, 95).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms, max ${percentile(xs, 100).toFixed(1)} ms`);
  line('hold latency (every request)', result.latencies);
  line('hold latency (seat won)', result.heldLatencies);
  print(`database: ${orders} live orders holding ${sold} seats, seat_holds rows ${holds}, double-sold ${doubleSold}; answered twice ${wonTwice}`);
  failed = sold !== seats || doubleSold !== 0 || holds !== seats || wonTwice !== 0 || unexpected.length > 0;
  print(failed ? 'RESULT: FAILED' : `RESULT: ok, exactly ${seats} sold, 0 double-sold`);
} finally {
  await booking.stop();
  await bus.close();
  await db.drop();
}
process.exit(failed ? 1 : 0);
