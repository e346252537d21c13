/**
 * Seat-map latency with a few thousand seats, against the test environment's Postgres:
 *   node --conditions=source services/catalog/bench/seat-map-latency.ts [seats=5000] [concurrency=32] [seconds=10]
 * Prints the build cost (layout once, statuses per build), HTTP latency while fans poll one
 * schedule (load generated in a worker thread), the same while holds stream in, and how long a
 * hold takes to show on a replica that did not consume the event.
 */
import { randomUUID } from 'node:crypto';
import { performance as perf } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { createSeatMapSource } from '../src/seats/seat-map-source.ts';
import { seatLayout } from '../src/seats/seats.repo.ts';
import { createPerformance, INTERNAL_TOKEN, seatMap, startCatalog, startReplica, type Replica } from '../test/harness.ts';

const [seatsWanted = 5000, concurrency = 32, seconds = 10] = process.argv.slice(2).map(Number);
const print = (line: string) => process.stdout.write(`${line}\n`);
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function timed(runs: number, fn: () => Promise<unknown>): Promise<string> {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = perf.now();
    await fn();
    xs.push(perf.now() - t);
  }
  xs.sort((a, b) => a - b);
  return `p50 ${ms(pct(xs, 50))}, max ${ms(xs.at(-1)!)} (${runs} runs)`;
}

const h = await startCatalog({ start: false });
const replica = await startReplica({ db: h.db, bus: h.bus });
try {
  const sections = 25;
  const rows = Math.ceil(seatsWanted / sections / 20);
  const created = await createPerformance(h, {
    schedules: [{ startsAt: new Date(Date.now() + 30 * 86400_000).toISOString() }],
    sections: Array.from({ length: sections }, (_, i) => ({ name: `Section ${i + 1}`, rows, seatsPerRow: 20, grade: i < 5 ? 'VIP' : 'R', price: i < 5 ? 150000 : 90000, currency: 'KRW' })),
  });
  const scheduleId = created.schedules[0]!.id;
  const seatIds = (await seatMap(h, scheduleId)).map((s) => s.id);
  const hold = async (seatId: string) => {
    const orderId = randomUUID();
    await h.service.handleEvent({ id: randomUUID(), type: 'order.created', key: orderId, occurredAt: new Date().toISOString(), payload: { orderId, userId: randomUUID(), performanceId: created.id, scheduleId, seatIds: [seatId] } });
  };
  let next = 0;
  for (; next < seatIds.length / 10; next++) await hold(seatIds[next]!); // 10 % taken, as mid-sale

  const source = createSeatMapSource(h.db.knex);
  const body = (await source(scheduleId))!;
  const gzipped = await promisify(gzip)(body);
  print(`seat map: ${seatIds.length} seats, ${(body.length / 1024).toFixed(0)} KiB JSON, ${(gzipped.length / 1024).toFixed(0)} KiB gzipped`);
  print(`layout read (once per schedule per process): ${await timed(10, () => seatLayout(h.db.knex, scheduleId))}`);
  print(`build (statuses + splice): ${await timed(30, () => source(scheduleId))}`);
  print(`gzip level 6 (thread pool, once per build): ${await timed(10, () => promisify(gzip)(body, { level: 6 }))}`);

  async function load(label: string, target: Replica, during?: () => Promise<void>): Promise<void> {
    const origin = `http://127.0.0.1:${target.server.port}`;
    let stop = false;
    const background = during ? (async () => { while (!stop) await during(); })() : Promise.resolve();
    const worker = new Worker(new URL('./load-worker.ts', import.meta.url), {
      workerData: { origin, path: `/api/v1/schedules/${scheduleId}/seats`, headers: { 'x-internal-token': INTERNAL_TOKEN, 'accept-encoding': 'gzip' }, concurrency, seconds },
    });
    const { latencies, bytes } = await new Promise<{ latencies: number[]; bytes: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    stop = true;
    await background;
    latencies.sort((a, b) => a - b);
    print(`${label}: ${concurrency} clients × ${seconds}s → ${(latencies.length / seconds).toFixed(0)} req/s (${(bytes / seconds / 1024 / 1024).toFixed(1)} MiB/s), p50 ${ms(pct(latencies, 50))}, p95 ${ms(pct(latencies, 95))}, p99 ${ms(pct(latencies, 99))}`);
  }

  await load('HTTP, nothing changing', replica);
  await load('HTTP, ~50 holds/s arriving', replica, async () => {
    await hold(seatIds[next++ % seatIds.length]!);
    await new Promise((r) => setTimeout(r, 20));
  });

  const visible: number[] = [];
  for (let i = 0; i < 20; i++) {
    const seatId = seatIds[next++ % seatIds.length]!;
    await seatMap(replica, scheduleId);
    const t = perf.now();
    await hold(seatId);
    while ((await seatMap(replica, scheduleId)).find((s) => s.id === seatId)?.status !== 'HELD') await new Promise((r) => setTimeout(r, 10));
    visible.push(perf.now() - t);
    await new Promise((r) => setTimeout(r, Math.random() * 250));
  }
  visible.sort((a, b) => a - b);
  print(`hold visible on a replica that did not consume it (20 holds, TTL 250 ms): p50 ${ms(pct(visible, 50))}, max ${ms(visible.at(-1)!)}`);
} finally {
  await replica.close();
  await h.close();
}
