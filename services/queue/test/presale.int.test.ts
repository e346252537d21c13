/**
 * Access-code lanes and honest odds, against the real catalog (codes and their uses in its
 * Postgres) and the queue's HTTP routes. No admission loop runs: each test ticks its own queue,
 * so nothing here depends on the machine's speed.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMemoryBus, type Bus } from '@ticketping/bus';
import { MIGRATIONS_DIRECTORY as CATALOG_MIGRATIONS, SCHEMA as CATALOG_SCHEMA } from '@ticketping/catalog/migrate';
import { createService as createCatalog, type CatalogService } from '@ticketping/catalog/service';
import { createTestDatabase, type TestDatabase } from '@ticketping/db/testing';
import { listen, type RunningServer } from '@ticketping/http';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { createRedis, type RedisClient } from '@ticketping/redis';
import type { ProofOfWorkChallenge } from '@ticketping/contracts/http';
import { entryBody, expectContractAt, testEnv } from '@ticketping/testing';
import { createService, type QueueService } from '../src/service.ts';
import { INTERNAL_TOKEN, dropQueues, quietLogger, testConfig } from './helpers.ts';

const ADMIN = { 'x-user-id': randomUUID(), 'x-user-role': 'ADMIN' };
const HOUR = 3600_000;
const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
type Json = Record<string, unknown>;

let db: TestDatabase;
let bus: Bus;
let catalog: CatalogService;
let catalogServer: RunningServer;
let catalogUrl = '';
let redis: RedisClient;
let queue: QueueService;
let queueServer: RunningServer;
let queueUrl = '';
const performances: string[] = [];

test.before(async () => {
  db = await createTestDatabase(testEnv.postgresUrl, [{ directory: CATALOG_MIGRATIONS, schema: CATALOG_SCHEMA }]);
  const silent = createLogger({ service: 'catalog', level: 'silent', destination: new Writable({ write(_c, _e, done) { done(); } }) });
  bus = createMemoryBus({ logger: silent });
  catalog = createCatalog({ config: { INTERNAL_TOKEN, OUTBOX_POLL_MS: 50, SEAT_MAP_TTL_MS: 250 }, logger: silent, metrics: createMetrics('catalog', { defaultMetrics: false }), db: db.knex, bus });
  catalogServer = await listen(catalog.app, 0);
  catalogUrl = `http://127.0.0.1:${catalogServer.port}`;
  redis = createRedis({ url: testEnv.redisUrl });
  // every fan here enters from one address, so the per-range rise would make each later proof harder
  // than the suite's own work warrants (proof-of-work.int.test.ts tests the rise)
  queue = await createService({ config: testConfig({ CATALOG_URL: catalogUrl, QUEUE_POW_MAX_DOUBLINGS: '0' }), logger: quietLogger(), metrics: createMetrics('queue', { defaultMetrics: false }), redis });
  queueServer = await listen(queue.app, 0);
  queueUrl = `http://127.0.0.1:${queueServer.port}`;
});

test.after(async () => {
  await queueServer.close();
  await catalogServer.close();
  await bus.close();
  await dropQueues(redis, performances);
  await redis.quit();
  await db.drop();
});

async function send(base: string, method: string, path: string, options: { user?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'x-internal-token': INTERNAL_TOKEN, ...(options.user ? { 'x-user-id': options.user } : {}), ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
}

/** A performance in catalog (12 seats a schedule, 2 schedules) and its waiting room, opening at `opensAt`. */
async function saleOpeningAt(opensAt: string, queueSettings: Json = {}): Promise<string> {
  const created = await send(catalogUrl, 'POST', '/api/v1/performances', {
    headers: ADMIN,
    body: {
      title: 'Hamlet', venue: 'National Theater', description: 'To be', bookingOpensAt: at(2 * HOUR), bookingClosesAt: at(48 * HOUR), maxSeatsPerOrder: 4,
      schedules: [{ startsAt: at(72 * HOUR) }, { startsAt: at(96 * HOUR) }],
      sections: [{ name: 'Floor', rows: 3, seatsPerRow: 4, grade: 'VIP', price: 150000, currency: 'KRW' }],
      queue: { capacity: 10, admitPerMinute: 600 },
    },
  });
  assert.is(created.status, 201, JSON.stringify(created.body));
  const id = String(created.body.id);
  performances.push(id);
  const room = await send(queueUrl, 'PUT', `/internal/v1/queues/${id}`, { body: { capacity: 10, admitPerMinute: 600, opensAt, totalSeats: 24, maxSeatsPerOrder: 4, ...queueSettings } });
  assert.is(room.status, 201);
  return id;
}

async function code(performanceId: string, body: Json): Promise<Json> {
  const res = await send(catalogUrl, 'POST', `/api/v1/performances/${performanceId}/access-codes`, { headers: ADMIN, body: { validFrom: at(-HOUR), validUntil: at(HOUR), ...body } });
  assert.is(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

/** Enters as every client does: solves the entry's proof-of-work (proof-of-work.int.test.ts tests it), with the code if any. */
async function enter(performanceId: string, user: string, accessCode?: string, headers: Record<string, string> = {}) {
  const path = `/api/v1/queues/${performanceId}/entries`;
  const challenge = await send(queueUrl, 'POST', `/api/v1/queues/${performanceId}/challenge`, { user, headers });
  // a refusal the waiting room can tell before any work (an unconfirmed address) comes with the challenge
  if (challenge.status !== 200) return challenge;
  const proof = entryBody(challenge.body as unknown as ProofOfWorkChallenge);
  const res = await send(queueUrl, 'POST', path, { user, headers, body: { ...proof, ...(accessCode === undefined ? {} : { accessCode }) } });
  expectContractAt('POST', path, res.status, res.body);
  return res;
}

async function poll(performanceId: string, user: string) {
  const path = `/api/v1/queues/${performanceId}/entries/me`;
  const res = await send(queueUrl, 'GET', path, { user });
  expectContractAt('GET', path, res.status, res.body);
  return res.body;
}

test('presale holders are admitted before the general open; general fans wait in the pre-queue behind them', async () => {
  const id = await saleOpeningAt(at(HOUR), { capacity: 1 });
  await code(id, { code: 'FANCLUB', lane: 'PRESALE', maxUses: 10 });
  const general = randomUUID();
  const [first, second] = [randomUUID(), randomUUID()];
  const pre = await enter(id, general);
  assert.equal([pre.body.status, pre.body.reason, pre.body.lane], ['WAITING', 'PRE_QUEUE', null]);
  const firstIn = await enter(id, first, 'fanclub');
  assert.equal([firstIn.status, firstIn.body.status], [200, 'ADMITTED'], 'an hour before the general open, at once (the lane was empty)');
  const inLane = await enter(id, second, 'FanClub');
  assert.equal([inLane.body.status, inLane.body.lane, inLane.body.position], ['WAITING', 'PRESALE', 1]);
  assert.is((await poll(id, general)).ahead, 1, 'the waiting presale holder is ahead of the pre-queued fan');

  await send(queueUrl, 'DELETE', `/api/v1/queues/${id}/entries/me`, { user: first });
  await queue.admission.tick(id);
  assert.is((await poll(id, second)).status, 'ADMITTED', 'the freed slot goes to the next presale holder');
  const stillWaiting = await poll(id, general);
  assert.equal([stillWaiting.status, stillWaiting.reason], ['WAITING', 'PRE_QUEUE'], 'the general sale has not opened');
});

test('priority holders wait for the open, then go before the pre-queue draw and the line', async () => {
  const id = await saleOpeningAt(at(HOUR), { capacity: 1 });
  await code(id, { code: 'FRONT-ROW', lane: 'PRIORITY', maxUses: 5 });
  const drawn = [randomUUID(), randomUUID()];
  for (const fan of drawn) await enter(id, fan);
  const holder = randomUUID();
  const entry = await enter(id, holder, 'FRONT-ROW');
  assert.equal([entry.body.lane, entry.body.ahead], ['PRIORITY', 0]);
  assert.ok(Number(entry.body.etaSeconds) > 3000, 'the wait includes the hour until the open');
  await queue.admission.tick(id);
  assert.is((await poll(id, holder)).status, 'WAITING', 'not before the open');

  // the sale opens (the schedule moves while the room has not opened: as performance.published does)
  assert.is((await send(queueUrl, 'PUT', `/internal/v1/queues/${id}`, { body: { capacity: 1, admitPerMinute: 600, opensAt: at(-1000), totalSeats: 24 } })).status, 200);
  await queue.admission.tick(id);
  assert.is((await poll(id, holder)).status, 'ADMITTED', 'the holder takes the one slot');
  for (const fan of drawn) assert.is((await poll(id, fan)).status, 'WAITING');
});

test('a fan already in the general line moves to the lane when entering with a code, and counts one use', async () => {
  const id = await saleOpeningAt(at(-1000), { capacity: 1 });
  const c = await code(id, { code: 'MOVE-UP', lane: 'PRIORITY', maxUses: 3 });
  const fans = [randomUUID(), randomUUID(), randomUUID()];
  for (const fan of fans) await enter(id, fan);
  assert.is((await poll(id, fans[2]!)).ahead, 1, 'the first fan was admitted at once, the third is behind the second');
  const moved = await enter(id, fans[2]!, 'MOVE-UP');
  assert.equal([moved.body.lane, moved.body.ahead], ['PRIORITY', 0]);
  assert.is((await enter(id, fans[2]!, 'MOVE-UP')).body.lane, 'PRIORITY', 'entering again is the same entry');
  assert.is((await poll(id, fans[1]!)).ahead, 1, 'the holder is now ahead of the second fan');
  const uses = await send(catalogUrl, 'GET', `/api/v1/performances/${id}/access-codes/${String(c.id)}/uses`, { headers: ADMIN });
  assert.equal([(uses.body.code as Json).uses, (uses.body.items as Json[]).map((u) => u.userId)], [1, [fans[2]]]);
});

test('ten fans race for a single-use code at the entry: one gets the lane, nine a clear 409', async () => {
  const id = await saleOpeningAt(at(HOUR));
  await code(id, { code: 'JUST-ONE', lane: 'PRESALE', maxUses: 1 });
  const fans = Array.from({ length: 10 }, () => randomUUID());
  const answers = await Promise.all(fans.map((fan) => enter(id, fan, 'just-one')));
  const won = answers.filter((a) => a.status === 200);
  assert.is(won.length, 1, JSON.stringify(answers.map((a) => [a.status, a.body.code])));
  assert.is(won[0]!.body.status, 'ADMITTED', 'the presale lane was empty: in at once');
  assert.equal(answers.filter((a) => a.status !== 200).map((a) => [a.status, a.body.code]), Array.from({ length: 9 }, () => [409, 'ACCESS_CODE_USED_UP']));
  const losers = fans.filter((_, i) => answers[i]!.status !== 200);
  assert.is((await send(queueUrl, 'GET', `/api/v1/queues/${id}/entries/me`, { user: losers[0] })).body.code, 'NOT_IN_QUEUE', 'a refused code leaves the fan out of every line');
});

test('unknown, out-of-window and malformed codes get clear 4xx; a closed room gives the use back', async () => {
  const id = await saleOpeningAt(at(HOUR));
  const later = await code(id, { code: 'TOMORROW', lane: 'PRESALE', maxUses: 5, validFrom: at(24 * HOUR), validUntil: at(25 * HOUR) });
  const unknown = await enter(id, randomUUID(), 'NO-SUCH-CODE');
  assert.equal([unknown.status, unknown.body.code], [403, 'ACCESS_CODE_INVALID']);
  const early = await enter(id, randomUUID(), 'TOMORROW');
  assert.equal([early.status, early.body.code, early.body.validFrom], [409, 'ACCESS_CODE_OUTSIDE_WINDOW', later.validFrom]);
  const malformed = await enter(id, randomUUID(), 'no spaces please');
  assert.equal([malformed.status, malformed.body.code], [400, 'VALIDATION_FAILED']);
  assert.match(String(malformed.body.detail), /body\.accessCode/);

  const open = await code(id, { code: 'WHILE-OPEN', lane: 'PRESALE', maxUses: 1 });
  await queue.room.configure(id, { state: 'CLOSED' });
  const closed = await enter(id, randomUUID(), 'WHILE-OPEN');
  assert.equal([closed.status, closed.body.code], [409, 'QUEUE_CLOSED']);
  const listed = await send(catalogUrl, 'GET', `/api/v1/performances/${id}/access-codes`, { headers: ADMIN });
  assert.is((listed.body.items as Json[]).find((c) => c.id === open.id)!.uses, 0, 'the single use is still there for a fan once the room reopens');
});

test('catalog out of reach: an entry with a code is a fast 503 with Retry-After, an entry without one still works', async () => {
  const id = await saleOpeningAt(at(-1000));
  const closed = await listen(catalog.app, 0);
  const deadUrl = `http://127.0.0.1:${closed.port}`;
  await closed.close(); // nothing listens there any more
  // proof-of-work off here: this case is about catalog being out of reach, which a proof would not change
  const cut = await createService({ config: testConfig({ CATALOG_URL: deadUrl, QUEUE_POW_MAX_NUMBER: '0' }), logger: quietLogger(), metrics: createMetrics('queue', { defaultMetrics: false }), redis });
  const server = await listen(cut.app, 0);
  try {
    const started = Date.now();
    const res = await fetch(`http://127.0.0.1:${server.port}/api/v1/queues/${id}/entries`, {
      method: 'POST', headers: { 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': randomUUID(), 'content-type': 'application/json' }, body: JSON.stringify({ accessCode: 'ANY-CODE' }),
    });
    const body = (await res.json()) as Json;
    assert.equal([res.status, body.code, res.headers.get('retry-after')], [503, 'ACCESS_CODES_UNAVAILABLE', '5']);
    assert.ok(Date.now() - started < 5000, 'refused at once, not after a timeout');
    const plain = await fetch(`http://127.0.0.1:${server.port}/api/v1/queues/${id}/entries`, { method: 'POST', headers: { 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': randomUUID() } });
    assert.is(plain.status, 200, 'the general line does not depend on catalog');
  } finally {
    await server.close();
  }
});

test('a sale for confirmed addresses refuses a code holder whose address is not confirmed, and gives the use back', async () => {
  const id = await saleOpeningAt(at(HOUR), { requireVerifiedEmail: true });
  const c = await code(id, { code: 'CONFIRMED', lane: 'PRESALE', maxUses: 1 });
  const unconfirmed = await enter(id, randomUUID(), 'CONFIRMED');
  assert.equal([unconfirmed.status, unconfirmed.body.code], [403, 'EMAIL_NOT_VERIFIED']);
  const listed = await send(catalogUrl, 'GET', `/api/v1/performances/${id}/access-codes`, { headers: ADMIN });
  assert.is((listed.body.items as Json[]).find((x) => x.id === c.id)!.uses, 0, 'the single use is still there');
  const confirmed = await enter(id, randomUUID(), 'CONFIRMED', { 'x-user-email-verified': '1' });
  assert.equal([confirmed.status, confirmed.body.status], [200, 'ADMITTED'], 'a confirmed holder gets the presale lane (empty: in at once)');
});

test('a pre-queued fan who moves to the lane frees a place under the line limit (the lane is not counted in it)', async () => {
  // 1 seat, a line limit of 2 × 1: two pre-queued fans fill it
  const id = await saleOpeningAt(at(HOUR), { totalSeats: 1 });
  await code(id, { code: 'MOVE-OUT', lane: 'PRIORITY', maxUses: 1 });
  const [mover, other] = [randomUUID(), randomUUID()];
  for (const fan of [mover, other]) assert.is((await enter(id, fan)).body.reason, 'PRE_QUEUE');
  const full = await enter(id, randomUUID());
  assert.equal([full.status, full.body.code], [503, 'QUEUE_FULL']);
  const moved = await enter(id, mover, 'MOVE-OUT');
  assert.equal([moved.body.lane, moved.body.reason], ['PRIORITY', null]);
  assert.is((await enter(id, randomUUID())).body.reason, 'PRE_QUEUE', 'the lane is not counted in the line limit');
});

test('odds: the poll says whether seats are likely left, with the figures, refreshed by the tick from measured orders', async () => {
  const id = await saleOpeningAt(at(-1000), { capacity: 1, totalSeats: 10 });
  const fans = Array.from({ length: 5 }, () => randomUUID());
  for (const fan of fans) await enter(id, fan);
  await queue.admission.tick(id);
  const second = (await poll(id, fans[1]!)).odds as Json;
  // 1 choosing now + 0 ahead, 4 seats an order assumed (no order yet): need (1 + 1) × 4 = 8 ≤ 10 / 1.25
  assert.equal(second, { outlook: 'LIKELY', seatsLeft: 10, peopleAhead: 1, seatsPerOrder: 4, seatsPerOrderMeasured: false, orderShare: 1, expectedSeatsBeforeYou: 4, asOf: second.asOf });
  const last = (await poll(id, fans[4]!)).odds as Json;
  assert.equal([last.outlook, last.peopleAhead, last.expectedSeatsBeforeYou], ['UNLIKELY', 4, 16]);

  // the admitted fan books one seat: seats per order is now measured
  await queue.store.orderEvent(id, 'created', { userId: fans[0]!, orderId: randomUUID(), seats: 1, occurredAtMs: Date.now() });
  await queue.admission.tick(id);
  const after = (await poll(id, fans[4]!)).odds as Json;
  assert.equal([after.outlook, after.seatsLeft, after.seatsPerOrder, after.seatsPerOrderMeasured, after.expectedSeatsBeforeYou], ['LIKELY', 9, 1, true, 4]);
  assert.is((await poll(id, fans[0]!)).odds, null, 'an admitted fan needs no odds');
});

test.run();
