/**
 * 10,000 fans racing for 1,000 seats. Each service is its own process on real Postgres and
 * Kafka (the test environment's); prints holds per second and hold latency percentiles, and
 * checks the outcome in booking's database: every seat in exactly one live order.
 *
 *   node_modules/.bin/node --conditions=source bench/booking/run.ts [--target direct|gateway]
 *       [--fans 10000] [--seats 1000] [--concurrency 200] [--replicas 1] [--attempts 5] [--pool 20] [--warmup 500]
 *
 * `direct` talks to booking with the headers the gateway would set (round-robin over
 * `--replicas` booking processes, as a Service would); `gateway` goes through the gateway
 * (access token, admission token, rate limiter) as a fan does. Before the race, a smaller
 * performance of `--warmup` seats is sold the same way, unmeasured, so the processes are warm.
 * Exits 1 if a seat was sold twice or left unsold, or a fan got an answer other than 201 or
 * 409 SEAT_UNAVAILABLE.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createLogger } from '@ticketping/logger';
import { percentile, race } from './fans.ts';
import { directSale, gatewaySale, type OnSale, type Sale } from './setup.ts';

const { values: args } = parseArgs({
  options: {
    target: { type: 'string', default: 'direct' },
    fans: { type: 'string', default: '10000' },
    seats: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '200' },
    replicas: { type: 'string', default: '1' },
    attempts: { type: 'string', default: '5' },
    pool: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '500' },
  },
});
const [fans, seats, concurrency, warmupSeats] = [Number(args.fans), Number(args.seats), Number(args.concurrency), Number(args.warmup)];
const print = (line = '') => process.stdout.write(`${line}\n`);
const common = { logger: createLogger({ service: 'bench', level: 'error' }), seats, warmupSeats, dbPool: Number(args.pool), replicas: Number(args.replicas) };

const runRace = async (sale: Sale, onSale: OnSale, crowdSize: number) =>
  race({
    origins: sale.origins, scheduleId: onSale.scheduleId, seatIds: onSale.seatIds, concurrency, attemptsPerFan: Number(args.attempts),
    fans: await Promise.all(Array.from({ length: crowdSize }, () => sale.fan(onSale.performanceId))),
  });

const sale = args.target === 'gateway' ? await gatewaySale(common) : await directSale(common);
let failed = true;
try {
  await runRace(sale, sale.warmup, warmupSeats * 4);
  const loadBefore = os.loadavg()[0]!;
  const result = await runRace(sale, sale.race, fans);

  const db = sale.bookingDb.knex;
  const live = await db.raw(
    `select count(distinct o.id)::int as orders, count(distinct os.seat_id)::int as seats, (count(*) - count(distinct os.seat_id))::int as double_sold
       from orders o join order_seats os on os.order_id = o.id where o.status in ('PENDING_PAYMENT', 'CONFIRMED') and o.schedule_id = ?`,
    [sale.race.scheduleId],
  );
  const { orders, seats: sold, double_sold: doubleSold } = live.rows[0] as { orders: number; seats: number; double_sold: number };
  const holds = Number((await db('seat_holds').whereIn('seat_id', sale.race.seatIds).count<{ n: number }[]>('* as n'))[0]!.n);
  const unexpected = [...result.statuses].filter(([status]) => status !== '201' && status !== '409 SEAT_UNAVAILABLE');
  const wonTwice = result.won.length - new Set(result.won).size;
  const line = (label: string, xs: number[]) =>
    print(`${label}: p50 ${percentile(xs, 50).toFixed(1)} ms, p95 ${percentile(xs, 95).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms, max ${percentile(xs, 100).toFixed(1)} ms`);

  print(`booking bench (${args.target}): ${fans} fans, ${seats} seats, ${concurrency} requests in flight, ${args.replicas} booking replica(s), DB pool ${args.pool} each`);
  print(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString()}, load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0]!.toFixed(1)}`);
  print(`requests: ${result.latencies.length} in ${(result.wallMs / 1000).toFixed(2)} s → ${(result.latencies.length / (result.wallMs / 1000)).toFixed(0)} req/s; answers ${JSON.stringify(Object.fromEntries(result.statuses))}`);
  print(`holds: ${result.heldLatencies.length}, sold out after ${(result.soldOutMs / 1000).toFixed(2)} s → ${(result.heldLatencies.length / (result.soldOutMs / 1000)).toFixed(0)} holds/s`);
  line('hold latency (every request)', result.latencies);
  line('hold latency (seat won)', result.heldLatencies);
  print(`database: ${orders} live orders holding ${sold} seats, seat_holds rows ${holds}, double-sold ${doubleSold}; a seat answered to two fans ${wonTwice}`);
  failed = sold !== seats || doubleSold !== 0 || holds !== seats || wonTwice !== 0 || unexpected.length > 0;
  print(failed ? 'RESULT: FAILED' : `RESULT: ok, exactly ${seats} sold, 0 double-sold`);
} finally {
  await sale.stop();
}
process.exitCode = failed ? 1 : 0; // and let the event loop end: every server, pool and client was closed above
