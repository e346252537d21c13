/**
 * What a presale code costs at the entry: entries with a code (redeemed in catalog's Postgres over
 * the internal route, then the lane script) against plain entries (the entry script alone), through
 * the queue's HTTP route, each fan once. Polls are not measured: they never leave Redis either way.
 *
 *   node_modules/.bin/node --conditions=source bench/queue/presale-entry.ts [--fans 400] [--concurrency 8]
 *
 * Needs Postgres and Redis: the test environment's (`npm run testenv up`). Catalog and the queue run
 * in this process (as the services' integration tests run them); what it makes is dropped at the end.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createMemoryBus } from '@ticketping/bus';
import { createTestDatabase } from '@ticketping/db/testing';
import { listen } from '@ticketping/http';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { createRedis, queueKeys, QUEUE_INDEX_KEY } from '@ticketping/redis';
import { testEnv } from '@ticketping/testing';
import { MIGRATIONS_DIRECTORY, SCHEMA } from '@ticketping/catalog/migrate';
import { createService as createCatalog } from '@ticketping/catalog/service';
import { loadConfig as loadQueueConfig } from '@ticketping/queue/config';
import { createService as createQueue } from '@ticketping/queue/service';

const { values } = parseArgs({ options: { fans: { type: 'string', default: '400' }, concurrency: { type: 'string', default: '8' } } });
const fans = Number(values.fans);
const concurrency = Number(values.concurrency);
const TOKEN = 'bench-internal-token-0123456789';
const silent = createLogger({ service: 'bench', level: 'silent', destination: new Writable({ write(_c, _e, done) { done(); } }) });
const hour = (n: number) => new Date(Date.now() + n * 3600_000).toISOString();

const db = await createTestDatabase(testEnv.postgresUrl, [{ directory: MIGRATIONS_DIRECTORY, schema: SCHEMA }]);
const bus = createMemoryBus({ logger: silent });
const catalog = createCatalog({ config: { INTERNAL_TOKEN: TOKEN, OUTBOX_POLL_MS: 1000, SEAT_MAP_TTL_MS: 1000 }, logger: silent, metrics: createMetrics('catalog', { defaultMetrics: false }), db: db.knex, bus });
const catalogServer = await listen(catalog.app, 0);
const redis = createRedis({ url: testEnv.redisUrl });
const queue = await createQueue({
  // proof-of-work off: this measures what the code adds to an entry (bench/pow and run.ts measure the proof)
  config: loadQueueConfig({ INTERNAL_TOKEN: TOKEN, LOG_LEVEL: 'silent', CATALOG_URL: `http://127.0.0.1:${catalogServer.port}`, QUEUE_POW_MAX_NUMBER: '0' }),
  logger: silent, metrics: createMetrics('queue', { defaultMetrics: false }), redis,
});
const queueServer = await listen(queue.app, 0);
const performances: string[] = [];

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'x-internal-token': TOKEN, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** A performance with a waiting room that admits nobody (PAUSED), so every entry waits. */
async function sale(): Promise<string> {
  const created = await post(`http://127.0.0.1:${catalogServer.port}/api/v1/performances`, {
    title: 'Bench', venue: 'Bench', description: '', bookingOpensAt: hour(-1), bookingClosesAt: hour(48), maxSeatsPerOrder: 4,
    schedules: [{ startsAt: hour(72) }], sections: [{ name: 'A', rows: 10, seatsPerRow: 10, grade: 'A', price: 100, currency: 'EUR' }],
    queue: { capacity: 1, admitPerMinute: 60 },
  }, { 'x-user-id': randomUUID(), 'x-user-role': 'ADMIN' });
  const { id } = (await created.json()) as { id: string };
  performances.push(id);
  await fetch(`http://127.0.0.1:${queueServer.port}/internal/v1/queues/${id}`, { method: 'PUT', headers: { 'x-internal-token': TOKEN, 'content-type': 'application/json' }, body: JSON.stringify({ capacity: 1, admitPerMinute: 60 }) });
  await queue.room.configure(id, { state: 'PAUSED' });
  return id;
}

async function run(label: string, performanceId: string, body: unknown): Promise<void> {
  const times: number[] = [];
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < fans) {
      next += 1;
      const t0 = performance.now();
      const res = await post(`http://127.0.0.1:${queueServer.port}/api/v1/queues/${performanceId}/entries`, body, { 'x-user-id': randomUUID() });
      await res.arrayBuffer();
      if (res.status !== 200) failed += 1;
      times.push(performance.now() - t0);
    }
  }));
  const wall = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
  console.log(`${label}: ${fans} entries, ${concurrency} at a time: ${(fans / wall).toFixed(0)}/s, p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, p99 ${at(0.99)} ms, failed ${failed}`);
}

try {
  const plain = await sale();
  const withCodes = await sale();
  await post(`http://127.0.0.1:${catalogServer.port}/api/v1/performances/${withCodes}/access-codes`, { code: 'BENCH-CODE', lane: 'PRIORITY', maxUses: 1_000_000, validFrom: hour(-1), validUntil: hour(1) }, { 'x-user-id': randomUUID(), 'x-user-role': 'ADMIN' });
  await run('warm-up (plain)', plain, {});
  await run('plain entry', plain, {});
  await run('entry with a code', withCodes, { accessCode: 'BENCH-CODE' });
} finally {
  await queueServer.close();
  await catalogServer.close();
  for (const id of performances) {
    await redis.del(...Object.values(queueKeys(id)));
    await redis.srem(QUEUE_INDEX_KEY, id);
  }
  await redis.quit();
  await bus.close();
  await db.drop();
}
