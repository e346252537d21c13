import { randomUUID } from 'node:crypto';
import { get } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ADMIN, createPerformance, FAN, INTERNAL_TOKEN, performanceBody, seatMap, startCatalog, type Harness, type PerformanceView } from './harness.ts';

let h: Harness;
test.before(async () => {
  // The relay stays off so the outbox rows of each create can be inspected.
  h = await startCatalog({ start: false });
});
test.after(async () => { await h.close(); });

const problem = async (res: Response) => {
  assert.is(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  return (await res.json()) as { status: number; code: string; detail: string; errors?: { field: string }[] };
};

test('an admin creates a performance: schedules, grades and every seat of every schedule', async () => {
  const body = performanceBody();
  const res = await h.call('/api/v1/performances', { body, headers: ADMIN });
  assert.is(res.status, 201);
  const created = (await res.json()) as PerformanceView & Record<string, unknown>;
  assert.is(res.headers.get('location'), `/api/v1/performances/${created.id}`);
  assert.equal(
    { title: created.title, venue: created.venue, description: created.description, maxSeatsPerOrder: created.maxSeatsPerOrder, status: created.status, queue: created.queue },
    { title: 'Hamlet', venue: 'National Theater', description: 'To be, or not to be', maxSeatsPerOrder: 4, status: 'ON_SALE', queue: { capacity: 100, admitPerMinute: 600 } },
  );
  assert.equal(created.schedules.map((s) => s.startsAt), body.schedules.map((s) => s.startsAt));
  assert.equal(created.grades, [{ name: 'VIP', price: 150000, currency: 'KRW' }, { name: 'R', price: 90000, currency: 'KRW' }]);
  assert.equal(await (await h.call(`/api/v1/performances/${created.id}`)).json(), created, 'the public read shows what was created');

  for (const schedule of created.schedules) {
    const seats = await seatMap(h, schedule.id);
    assert.is(seats.length, 3 * 4 + 2 * 5);
    assert.equal(seats[0], { id: seats[0]!.id, section: 'Floor', row: 1, number: 1, grade: 'VIP', price: 150000, currency: 'KRW', status: 'AVAILABLE' });
    assert.equal(seats.at(-1), { id: seats.at(-1)!.id, section: 'Balcony', row: 2, number: 5, grade: 'R', price: 90000, currency: 'KRW', status: 'AVAILABLE' });
    assert.is(new Set(seats.map((s) => `${s.section}/${s.row}/${s.number}`)).size, seats.length, 'no seat twice');
    assert.equal(await (await h.call(`/api/v1/schedules/${schedule.id}`)).json(), { id: schedule.id, performanceId: created.id, startsAt: schedule.startsAt });
  }
});

test('the create publishes performance.published and seats.published (≤ 500 each) with all seats of all schedules', async () => {
  const created = await createPerformance(h, {
    schedules: [{ startsAt: new Date(Date.now() + 30 * 86400_000).toISOString() }, { startsAt: new Date(Date.now() + 31 * 86400_000).toISOString() }],
    sections: [{ name: 'Stalls', rows: 30, seatsPerRow: 40, grade: 'S', price: 120000, currency: 'KRW' }],
  });
  const rows = await h.db.knex('outbox').where({ key: created.id }).orderBy('seq');
  assert.ok(rows.every((r: { topic: string }) => r.topic === 'catalog.performances'));
  const [first, ...rest] = rows as { type: string; payload: Record<string, unknown> }[];
  assert.is(first?.type, 'performance.published');
  assert.equal(first?.payload.totalSeats, 2 * 1200);
  assert.equal(first?.payload.schedules, created.schedules.map((s) => ({ scheduleId: s.id, startsAt: s.startsAt })));
  assert.ok(rest.every((r) => r.type === 'seats.published'));
  const payloads = rest.map((r) => r.payload as { scheduleId: string; seats: { seatId: string; price: number }[] });
  assert.ok(payloads.every((p) => p.seats.length <= 500));
  for (const schedule of created.schedules) {
    const published = payloads.filter((p) => p.scheduleId === schedule.id).flatMap((p) => p.seats.map((s) => s.seatId)).sort();
    assert.equal(published, (await seatMap(h, schedule.id)).map((s) => s.id).sort(), 'every seat of the schedule, once');
  }
});

test('anonymous callers get 401 and fans 403; nobody gets past the gateway check without the internal token', async () => {
  const anonymous = await h.call('/api/v1/performances', { body: performanceBody() });
  assert.is(anonymous.status, 401);
  assert.is((await problem(anonymous)).code, 'UNAUTHORIZED');
  const fan = await h.call('/api/v1/performances', { body: performanceBody(), headers: FAN });
  assert.is(fan.status, 403);
  assert.is((await problem(fan)).code, 'ADMIN_ONLY');
  const outside = await h.call('/api/v1/performances', { headers: { 'x-internal-token': 'wrong' } });
  assert.is(outside.status, 401);
  assert.is((await problem(outside)).code, 'INTERNAL_ONLY');
});

test('bad bodies are 400 problem+json naming every bad field', async () => {
  const inPast = new Date(Date.now() - 86400_000).toISOString();
  const cases: [Record<string, unknown>, string[]][] = [
    [{ title: '' }, ['body.title']],
    [{ bookingOpensAt: new Date(Date.now() + 40 * 86400_000).toISOString() }, ['body.bookingClosesAt']],
    [{ schedules: [{ startsAt: inPast }] }, ['body.schedules.0.startsAt']],
    [{ maxSeatsPerOrder: 21, queue: { capacity: 0, admitPerMinute: 10 } }, ['body.maxSeatsPerOrder', 'body.queue.capacity']],
    [{ sections: [{ name: 'A', rows: 201, seatsPerRow: 0, grade: 'S', price: -5, currency: 'kr' }] }, ['body.sections.0.rows', 'body.sections.0.seatsPerRow', 'body.sections.0.price', 'body.sections.0.currency']],
    [{ sections: Array.from({ length: 101 }, (_, i) => ({ name: `S${i}`, rows: 1, seatsPerRow: 1, grade: 'S', price: 1, currency: 'KRW' })) }, ['body.sections']],
  ];
  for (const [overrides, fields] of cases) {
    const res = await h.call('/api/v1/performances', { body: performanceBody(overrides), headers: ADMIN });
    assert.is(res.status, 400, JSON.stringify(overrides).slice(0, 80));
    const body = await problem(res);
    assert.is(body.code, 'VALIDATION_FAILED');
    assert.equal(body.errors?.map((e) => e.field).sort(), [...fields].sort());
    for (const field of fields) assert.ok(body.detail.includes(field), `${field} named in detail`);
  }
  const malformed = await h.call('/api/v1/performances', { body: '{"title":', headers: ADMIN });
  assert.is(malformed.status, 400);
  assert.is((await problem(malformed)).code, 'MALFORMED_JSON');
});

test('unknown ids are 404 problem+json; malformed ids are 400 naming the parameter', async () => {
  for (const path of [`/api/v1/performances/${randomUUID()}`, `/api/v1/schedules/${randomUUID()}`, `/api/v1/schedules/${randomUUID()}/seats`]) {
    const res = await h.call(path);
    assert.is(res.status, 404, path);
    assert.match((await problem(res)).code, /_NOT_FOUND$/);
  }
  for (const [path, field] of [['/api/v1/performances/42', 'params.performanceId'], ['/api/v1/schedules/not-a-uuid', 'params.scheduleId'], ['/api/v1/schedules/x/seats', 'params.scheduleId']] as const) {
    const res = await h.call(path);
    assert.is(res.status, 400, path);
    assert.equal((await problem(res)).errors?.map((e) => e.field), [field]);
  }
  const patchUnknown = await h.call(`/api/v1/performances/${randomUUID()}`, { method: 'PATCH', body: { title: 'x' }, headers: ADMIN });
  assert.is(patchUnknown.status, 404);
});

test('the public list pages with an opaque cursor in a stable order, with no duplicates or gaps', async () => {
  const other = await startCatalog({ start: false });
  try {
    const opens = (i: number) => new Date(Date.now() - (10 - (i % 3)) * 3600_000).toISOString(); // ties on purpose
    for (let i = 0; i < 7; i++) await createPerformance(other, { title: `Show ${i}`, bookingOpensAt: opens(i), sections: [{ name: 'A', rows: 1, seatsPerRow: 1, grade: 'S', price: 1, currency: 'KRW' }] });
    const seen: { id: string; bookingOpensAt: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await other.call(`/api/v1/performances?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      assert.is(res.status, 200);
      const page = (await res.json()) as { items: { id: string; bookingOpensAt: string; status: string }[]; nextCursor: string | null };
      assert.ok(page.items.length <= 3);
      assert.ok(page.items.every((p) => p.status === 'ON_SALE'));
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    assert.is(pages, 3);
    assert.is(new Set(seen.map((p) => p.id)).size, 7);
    const sorted = [...seen].sort((a, b) => a.bookingOpensAt.localeCompare(b.bookingOpensAt) || a.id.localeCompare(b.id));
    assert.equal(seen, sorted, 'ordered by bookingOpensAt, then id');
    const all = (await (await other.call('/api/v1/performances?limit=100')).json()) as { items: unknown[]; nextCursor: string | null };
    assert.equal([all.items.length, all.nextCursor], [7, null]);

    for (const [query, field] of [['limit=0', 'query.limit'], ['limit=101', 'query.limit'], ['cursor=garbage', 'query.cursor']]) {
      const res = await other.call(`/api/v1/performances?${query}`);
      assert.is(res.status, 400, query);
      assert.equal((await problem(res)).errors?.map((e) => e.field), [field]);
    }
  } finally {
    await other.close();
  }
});

test('an admin patches the sale settings and republishes them; the booking window stays consistent', async () => {
  const created = await createPerformance(h);
  const closesAt = new Date(Date.now() + 15 * 86400_000).toISOString();
  const res = await h.call(`/api/v1/performances/${created.id}`, { method: 'PATCH', body: { maxSeatsPerOrder: 2, bookingClosesAt: closesAt }, headers: ADMIN });
  assert.is(res.status, 200);
  const patched = (await res.json()) as PerformanceView;
  assert.equal([patched.maxSeatsPerOrder, patched.bookingClosesAt, patched.title], [2, closesAt, 'Hamlet']);
  const published = await h.db.knex('outbox').where({ key: created.id, type: 'performance.published' }).orderBy('seq');
  assert.is(published.length, 2);
  assert.is((published[1] as { payload: { maxSeatsPerOrder: number } }).payload.maxSeatsPerOrder, 2);

  const inverted = await h.call(`/api/v1/performances/${created.id}`, { method: 'PATCH', body: { bookingOpensAt: new Date(Date.now() + 16 * 86400_000).toISOString() }, headers: ADMIN });
  assert.is(inverted.status, 400);
  assert.equal((await problem(inverted)).errors?.map((e) => e.field), ['body.bookingOpensAt']);
  const empty = await h.call(`/api/v1/performances/${created.id}`, { method: 'PATCH', body: {}, headers: ADMIN });
  assert.is(empty.status, 400);
  const byFan = await h.call(`/api/v1/performances/${created.id}`, { method: 'PATCH', body: { title: 'mine' }, headers: FAN });
  assert.is(byFan.status, 403);
});

test('the per-person limit follows maxSeatsPerOrder until an admin sets it, and travels to booking in performance.published', async () => {
  const created = await createPerformance(h);
  assert.is(created.maxSeatsPerPerson, created.maxSeatsPerOrder);
  const payload = async () => ((await h.db.knex('outbox').where({ key: created.id, type: 'performance.published' }).orderBy('seq', 'desc').first()) as { payload: { maxSeatsPerPerson: number } }).payload;
  assert.is((await payload()).maxSeatsPerPerson, 4);
  const set = await h.call(`/api/v1/performances/${created.id}`, { method: 'PATCH', body: { maxSeatsPerPerson: 6 }, headers: ADMIN });
  assert.is(((await set.json()) as PerformanceView).maxSeatsPerPerson, 6);
  assert.is((await payload()).maxSeatsPerPerson, 6);
  const reset = await h.call(`/api/v1/performances/${created.id}`, { method: 'PATCH', body: { maxSeatsPerPerson: null, maxSeatsPerOrder: 3 }, headers: ADMIN });
  assert.is(((await reset.json()) as PerformanceView).maxSeatsPerPerson, 3);
  const tooMany = await h.call(`/api/v1/performances/${created.id}`, { method: 'PATCH', body: { maxSeatsPerPerson: 101 }, headers: ADMIN });
  assert.is(tooMany.status, 400);
  assert.equal((await problem(tooMany)).errors?.map((e) => e.field), ['body.maxSeatsPerPerson']);
});

test('a performance asks for confirmed addresses only when the admin says so, and the waiting room learns it from performance.published', async () => {
  const created = await createPerformance(h);
  assert.is(created.requireVerifiedEmail, false);
  const payload = async () => ((await h.db.knex('outbox').where({ key: created.id, type: 'performance.published' }).orderBy('seq', 'desc').first()) as { payload: { requireVerifiedEmail: boolean } }).payload;
  assert.is((await payload()).requireVerifiedEmail, false);
  const set = await h.call(`/api/v1/performances/${created.id}`, { method: 'PATCH', body: { requireVerifiedEmail: true }, headers: ADMIN });
  assert.is(((await set.json()) as PerformanceView).requireVerifiedEmail, true);
  assert.is((await payload()).requireVerifiedEmail, true);
  const strict = await createPerformance(h, { requireVerifiedEmail: true });
  assert.is(strict.requireVerifiedEmail, true);
  const wrong = await h.call(`/api/v1/performances/${created.id}`, { method: 'PATCH', body: { requireVerifiedEmail: 'yes' }, headers: ADMIN });
  assert.is(wrong.status, 400);
  assert.equal((await problem(wrong)).errors?.map((e) => e.field), ['body.requireVerifiedEmail']);
});

test('cancelling is idempotent, shows CANCELLED, publishes once and freezes the performance', async () => {
  const created = await createPerformance(h);
  const first = await h.call(`/api/v1/performances/${created.id}/cancel`, { method: 'POST', headers: ADMIN });
  const second = await h.call(`/api/v1/performances/${created.id}/cancel`, { method: 'POST', headers: ADMIN });
  assert.equal([first.status, second.status], [200, 200]);
  assert.is(((await second.json()) as PerformanceView).status, 'CANCELLED');
  assert.is((await h.db.knex('outbox').where({ key: created.id, type: 'performance.cancelled' })).length, 1);
  const patch = await h.call(`/api/v1/performances/${created.id}`, { method: 'PATCH', body: { title: 'revived' }, headers: ADMIN });
  assert.is(patch.status, 409);
  assert.is((await problem(patch)).code, 'PERFORMANCE_CANCELLED');
  assert.is((await h.call(`/api/v1/performances/${created.id}/cancel`, { method: 'POST', headers: FAN })).status, 403);
});

test('seat maps come gzipped only to clients that ask, and names survive serialisation', async () => {
  const created = await createPerformance(h, { sections: [{ name: 'Balcony "A" \\ 発', rows: 1, seatsPerRow: 2, grade: 'R', price: 0, currency: 'KRW' }] });
  const url = `http://127.0.0.1:${h.server.port}/api/v1/schedules/${created.schedules[0]!.id}/seats`;
  const raw = (headers: Record<string, string>) => new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
    get(url, { headers: { 'x-internal-token': INTERNAL_TOKEN, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) })).on('error', reject);
    }).on('error', reject);
  });
  const plain = await raw({});
  const zipped = await raw({ 'accept-encoding': 'gzip, deflate, br' });
  assert.equal([plain.encoding, zipped.encoding], [undefined, 'gzip']);
  assert.equal(gunzipSync(zipped.body), plain.body);
  const items = (JSON.parse(plain.body.toString()) as { items: { section: string; price: number; status: string }[] }).items;
  assert.equal(items.map((s) => [s.section, s.price, s.status]), [['Balcony "A" \\ 発', 0, 'AVAILABLE'], ['Balcony "A" \\ 発', 0, 'AVAILABLE']]);
});

test('seat maps answer 304 to a client that already has the current version', async () => {
  const created = await createPerformance(h);
  const scheduleId = created.schedules[0]!.id;
  const first = await h.call(`/api/v1/schedules/${scheduleId}/seats`);
  const etag = first.headers.get('etag');
  assert.ok(etag);
  // fetch() marks conditional requests `cache-control: no-cache` (a forced reload) unless told otherwise.
  const again = await h.call(`/api/v1/schedules/${scheduleId}/seats`, { headers: { 'if-none-match': etag, 'cache-control': 'max-age=0' } });
  assert.is(again.status, 304);
});

test.run();
