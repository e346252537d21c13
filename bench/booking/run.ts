/**
 * 10,000 fans racing for 1,000 seats. Each service is its own process on real Postgres and
 * Kafka (the test environment's); prints holds per second and hold latency percentiles, and
 * checks the outcome in booking's database: every seat in exactly one live order.
 *
 *   node_modules/.bin/node --conditions=source bench/booking/run.ts [--target direct|gateway]
 *       [--fans 10000] [--seats 1000] [--concurrency 200] [--attempts 5] [--pool 20]
 *
 * `direct` talks to booking with the headers the gateway would set; `gateway` goes through the
 * gateway (access token, admission token, rate limiter) as a fan does. Exits 1 if a seat was
 * sold twice or left unsold, or a fan got an answer other than 201 or 409 SEAT_UNAVAILABLE.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createLogger } from '@ticketping/logger';
import { percentile, race } from './fans.ts';
import { directSale, gatewaySale } from './setup.ts';

const { values: args } = parseArgs({
  options: {
    target: { type: 'string', default: 'direct' },
    fans: { type: 'string', default: '10000' },
    seats: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '200' },
    attempts: { type: 'string', default: '5' },
    pool: { type: 'string', default: '20' },
  },
});
const [fans, seats, concurrency] = [Number(args.fans), Number(args.seats), Number(args.concurrency)];
const print = (line = '') => process.stdout.write(`${line}\n`);
const common = { logger: createLogger({ service: 'bench', level: 'warn' }), seats, dbPool: Number(args.pool) };

const sale = args.target === 'gateway' ? await gatewaySale(common) : await directSale(common);
let failed = true;
try {
  const crowd = await Promise.all(Array.from({ length: fans }, () => sale.fan()));
  const loadBefore = os.loadavg()[0]!;
  const result = await race({ origin: sale.origin, scheduleId: sale.scheduleId, seatIds: sale.seatIds, fans: crowd, concurrency, attemptsPerFan: Number(args.attempts) });

  const db = sale.bookingDb.knex;
  const live = await db.raw(`select count(distinct o.id)::int as orders, count(distinct os.seat_id)::int as seats, (count(*) - count(distinct os.seat_id))::int as double_sold
    from orders o join order_seats os on os.order_id = o.id where o.status in ('PENDING_PAYMENT', 'CONFIRMED')`);
  const { orders, seats: sold, double_sold: doubleSold } = live.rows[0] as { orders: number; seats: number; double_sold: number };
  const holds = Number((await db('seat_holds').count<{ n: number }[]>('* as n'))[0]!.n);
  const unexpected = [...result.statuses].filter(([status]) => status !== '201' && status !== '409 SEAT_UNAVAILABLE');
  const wonTwice = result.won.length - new Set(result.won).size;
  const seconds = result.wallMs / 1000;
  const line = (label: string, xs: number[]) =>
    print(`${label}: p50 ${percentile(xs, 50).toFixed(1)} ms, p95 ${percentile(xs, 95).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms, max ${percentile(xs, 100).toFixed(1)} ms`);

  print(`booking bench (${args.target}): ${fans} fans, ${seats} seats, ${concurrency} requests in flight, booking DB pool ${args.pool}`);
  print(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString()}, load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0]!.toFixed(1)}`);
  print(`requests: ${result.latencies.length} in ${seconds.toFixed(2)} s → ${(result.latencies.length / seconds).toFixed(0)} req/s; answers ${JSON.stringify(Object.fromEntries(result.statuses))}`);
  print(`holds: ${result.heldLatencies.length} → ${(result.heldLatencies.length / seconds).toFixed(0)} holds/s`);
  line('hold latency (every request)', result.latencies);
  line('hold latency (seat won)', result.heldLatencies);
  print(`database: ${orders} live orders holding ${sold} seats, seat_holds rows ${holds}, double-sold ${doubleSold}; a seat answered to two fans ${wonTwice}`);
  failed = sold !== seats || doubleSold !== 0 || holds !== seats || wonTwice !== 0 || unexpected.length > 0;
  print(failed ? 'RESULT: FAILED' : `RESULT: ok, exactly ${seats} sold, 0 double-sold`);
} finally {
  await sale.stop();
}
process.exit(failed ? 1 : 0);
