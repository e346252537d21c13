import { randomUUID } from 'node:crypto';
import { SignJWT, importJWK } from 'jose';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateSigningKey, createSigner } from '@ticketping/auth-tokens';
import { freePort } from '@ticketping/http';
import { eventually, expectContractAt } from '@ticketping/testing';
import { INTERNAL_TOKEN, placeOrder, startBooking, type Harness, type SeededPerformance } from './harness.ts';

let h: Harness;
let perf: SeededPerformance;
let other: SeededPerformance;

test.before(async () => {
  h = await startBooking();
  perf = await h.seed({ seats: 10, maxSeatsPerOrder: 2 });
  other = await h.seed({ seats: 2 });
});
test.after(async () => { await h.close(); });

interface Answer { status: number; body: Record<string, unknown>; type: string | null }
async function call(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
  const res = await fetch(`${h.base}${path}`, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  const answer = { status: res.status, body: (await res.json()) as Record<string, unknown>, type: res.headers.get('content-type') };
  // INTERNAL_ONLY is what a caller that skipped the gateway gets: never a fan, so not in the public contract
  if (answer.body.code !== 'INTERNAL_ONLY') expectContractAt(method, path, answer.status, answer.body);
  return answer;
}
function expectProblem(answer: Answer, status: number, code: string, field?: string) {
  assert.is(answer.status, status, `${code}: ${JSON.stringify(answer.body)}`);
  assert.is(answer.body.code, code);
  assert.match(answer.type ?? '', /application\/problem\+json/);
  if (field) assert.match(String(answer.body.detail), new RegExp(field.replace('.', '\\.')));
}
const order = (seatIds: string[] = [perf.seatIds[0]!]) => ({ scheduleId: perf.scheduleId, seatIds });

test('POST /orders: the gateway credential and a caller are required', async () => {
  const fan = randomUUID();
  const { 'x-internal-token': _t, ...noInternal } = await h.headers(fan, perf.performanceId);
  expectProblem(await call('POST', '/api/v1/orders', noInternal, order()), 401, 'INTERNAL_ONLY');
  const forged = { ...(await h.headers(fan, perf.performanceId)), 'x-internal-token': 'x'.repeat(INTERNAL_TOKEN.length) };
  expectProblem(await call('POST', '/api/v1/orders', forged, order()), 401, 'INTERNAL_ONLY');
  const { 'x-user-id': _u, ...anonymous } = await h.headers(fan, perf.performanceId);
  expectProblem(await call('POST', '/api/v1/orders', anonymous, order()), 401, 'UNAUTHORIZED');
});

test('POST /orders: the admission token must exist, be valid, be for this performance and for this fan', async () => {
  const fan = randomUUID();
  expectProblem(await call('POST', '/api/v1/orders', await h.headers(fan), order()), 403, 'QUEUE_TOKEN_REQUIRED');
  expectProblem(await call('POST', '/api/v1/orders', await h.headers(fan, other.performanceId), order()), 403, 'QUEUE_TOKEN_INVALID');
  const someoneElses = await h.headers(randomUUID(), perf.performanceId);
  expectProblem(await call('POST', '/api/v1/orders', { ...someoneElses, 'x-user-id': fan }, order()), 403, 'QUEUE_TOKEN_INVALID');
  expectProblem(await call('POST', '/api/v1/orders', { ...(await h.headers(fan)), 'x-queue-token': 'not.a.token' }, order()), 403, 'QUEUE_TOKEN_INVALID');
  const foreignKey = await createSigner('ticketping-queue', await generateSigningKey());
  const forged = (await foreignKey.sign({ subject: fan, audience: perf.performanceId, expiresInSeconds: 60 })).token;
  expectProblem(await call('POST', '/api/v1/orders', { ...(await h.headers(fan)), 'x-queue-token': forged }, order()), 403, 'QUEUE_TOKEN_INVALID');
  const key = await generateSigningKey();
  const expired = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', kid: key.kid }).setIssuer('ticketping-queue').setSubject(fan)
    .setAudience(perf.performanceId).setJti(randomUUID()).setExpirationTime(Math.floor(Date.now() / 1000) - 3600).sign(await importJWK(key, 'EdDSA'));
  expectProblem(await call('POST', '/api/v1/orders', { ...(await h.headers(fan)), 'x-queue-token': expired }, order()), 403, 'QUEUE_TOKEN_INVALID');
});

test('POST /orders: malformed bodies are 400 naming the field; clients cannot set price, amount or status', async () => {
  const headers = await h.headers(randomUUID(), perf.performanceId);
  expectProblem(await call('POST', '/api/v1/orders', headers, '{"scheduleId":'), 400, 'MALFORMED_JSON');
  expectProblem(await call('POST', '/api/v1/orders', headers, { seatIds: [perf.seatIds[0]] }), 400, 'VALIDATION_FAILED', 'body.scheduleId');
  expectProblem(await call('POST', '/api/v1/orders', headers, { scheduleId: 'nope', seatIds: [perf.seatIds[0]] }), 400, 'VALIDATION_FAILED', 'body.scheduleId');
  expectProblem(await call('POST', '/api/v1/orders', headers, { scheduleId: perf.scheduleId }), 400, 'VALIDATION_FAILED', 'body.seatIds');
  expectProblem(await call('POST', '/api/v1/orders', headers, order([])), 400, 'VALIDATION_FAILED', 'body.seatIds');
  expectProblem(await call('POST', '/api/v1/orders', headers, order(['A-1'])), 400, 'VALIDATION_FAILED', 'body.seatIds.0');
  expectProblem(await call('POST', '/api/v1/orders', headers, order([perf.seatIds[0]!, perf.seatIds[0]!])), 400, 'VALIDATION_FAILED', 'body.seatIds');
  expectProblem(await call('POST', '/api/v1/orders', headers, { ...order(), seatIds: perf.seatIds[0] }), 400, 'VALIDATION_FAILED', 'body.seatIds');
  for (const field of ['amount', 'price', 'status', 'userId']) {
    const answer = await call('POST', '/api/v1/orders', headers, { ...order(), [field]: field === 'status' ? 'CONFIRMED' : 1 });
    expectProblem(answer, 400, 'VALIDATION_FAILED');
    assert.match(String(answer.body.detail), new RegExp(field));
  }
  const big = await call('POST', '/api/v1/orders', headers, { ...order(), padding: 'x'.repeat(20_000) });
  expectProblem(big, 413, 'PAYLOAD_TOO_LARGE');
  expectProblem(await call('POST', '/api/v1/orders', { ...headers, 'idempotency-key': 'k'.repeat(300) }, order()), 400, 'IDEMPOTENCY_KEY_INVALID');
});

test('POST /orders: unknown schedule 404, foreign or unknown seats 400, too many seats 400', async () => {
  const fan = randomUUID();
  const headers = await h.headers(fan, perf.performanceId);
  expectProblem(await call('POST', '/api/v1/orders', headers, { scheduleId: randomUUID(), seatIds: [perf.seatIds[0]] }), 404, 'SCHEDULE_NOT_FOUND');
  const foreign = await call('POST', '/api/v1/orders', headers, order([perf.seatIds[0]!, other.seatIds[0]!]));
  expectProblem(foreign, 400, 'UNKNOWN_SEATS', 'body.seatIds');
  assert.equal(foreign.body.seatIds, [other.seatIds[0]]);
  const tooMany = await call('POST', '/api/v1/orders', headers, order(perf.seatIds.slice(0, 3)));
  expectProblem(tooMany, 400, 'TOO_MANY_SEATS', 'body.seatIds');
  assert.is(tooMany.body.maxSeatsPerOrder, 2);
  assert.is(await h.db.knex('seat_holds').count<{ n: number }[]>('* as n').then((r) => Number(r[0]!.n)), 0, 'no rejected request held a seat');
});

test('POST /orders: outside the booking window is 409', async () => {
  const early = await h.seed({ seats: 2, opensAt: new Date(Date.now() + 3600_000) });
  const late = await h.seed({ seats: 2, opensAt: new Date(Date.now() - 7200_000), closesAt: new Date(Date.now() - 3600_000) });
  expectProblem(await placeOrder(h, randomUUID(), early, [early.seatIds[0]!]).then((r) => ({ ...r, type: r.headers.get('content-type') })), 409, 'BOOKING_NOT_OPEN');
  expectProblem(await placeOrder(h, randomUUID(), late, [late.seatIds[0]!]).then((r) => ({ ...r, type: r.headers.get('content-type') })), 409, 'BOOKING_CLOSED');
});

test('POST /orders: a performance catalog cancelled takes no new holds: 409 PERFORMANCE_CANCELLED', async () => {
  const cancelled = await h.seed({ seats: 2 });
  await h.service.handleEvent({
    id: randomUUID(), type: 'performance.cancelled', key: cancelled.performanceId, occurredAt: new Date().toISOString(),
    payload: { performanceId: cancelled.performanceId, cancelledAt: new Date().toISOString() },
  });
  const answer = await eventually(async () => {
    const res = await placeOrder(h, randomUUID(), cancelled, [cancelled.seatIds[0]!]);
    return res.status === 409 ? res : undefined;
  }, h.config.CATALOG_COPY_TTL_MS + 3000, 200);
  expectProblem({ ...answer, type: answer.headers.get('content-type') }, 409, 'PERFORMANCE_CANCELLED');
});

test('GET and DELETE /orders/{orderId}: a malformed id is 400, an unknown one 404', async () => {
  const headers = await h.headers(randomUUID());
  expectProblem(await call('GET', '/api/v1/orders/not-a-uuid', headers), 400, 'VALIDATION_FAILED', 'params.orderId');
  expectProblem(await call('GET', `/api/v1/orders/${randomUUID()}`, headers), 404, 'ORDER_NOT_FOUND');
  expectProblem(await call('DELETE', '/api/v1/orders/not-a-uuid', headers), 400, 'VALIDATION_FAILED', 'params.orderId');
  expectProblem(await call('DELETE', `/api/v1/orders/${randomUUID()}`, headers), 404, 'ORDER_NOT_FOUND');
  const { 'x-internal-token': _t, ...outside } = headers;
  expectProblem(await call('GET', `/api/v1/orders/${randomUUID()}`, outside), 401, 'INTERNAL_ONLY');
});

test('GET /orders: bad limit or cursor is 400 naming it', async () => {
  const headers = await h.headers(randomUUID());
  expectProblem(await call('GET', '/api/v1/orders?limit=0', headers), 400, 'VALIDATION_FAILED', 'query.limit');
  expectProblem(await call('GET', '/api/v1/orders?limit=1000', headers), 400, 'VALIDATION_FAILED', 'query.limit');
  expectProblem(await call('GET', '/api/v1/orders?cursor=garbage', headers), 400, 'VALIDATION_FAILED', 'query.cursor');
});

test('POST /orders/{orderId}/refund is for administrators only', async () => {
  expectProblem(await call('POST', `/api/v1/orders/${randomUUID()}/refund`, await h.headers(randomUUID()), {}), 403, 'ADMIN_ONLY');
  const admin = { ...(await h.headers(randomUUID())), 'x-user-role': 'ADMIN' };
  expectProblem(await call('POST', `/api/v1/orders/${randomUUID()}/refund`, admin, {}), 404, 'ORDER_NOT_FOUND');
});

test("a hold while the waiting room's keys are out of reach is 503 TOKEN_KEYS_UNAVAILABLE, not a 403 for a good token", async () => {
  const nobody = await freePort(); // nothing listens there: the queue's key set cannot be fetched
  const cut = await startBooking({ env: { QUEUE_JWKS: '', QUEUE_JWKS_URL: `http://127.0.0.1:${nobody}/.well-known/jwks.json` } });
  try {
    const seeded = await cut.seed({ seats: 2 });
    const res = await fetch(`${cut.base}/api/v1/orders`, {
      method: 'POST', headers: await cut.headers(randomUUID(), seeded.performanceId), body: JSON.stringify({ scheduleId: seeded.scheduleId, seatIds: [seeded.seatIds[0]] }),
    });
    const answer = { status: res.status, body: (await res.json()) as Record<string, unknown>, type: res.headers.get('content-type') };
    expectProblem(answer, 503, 'TOKEN_KEYS_UNAVAILABLE');
    assert.is(res.headers.get('retry-after'), '2');
  } finally {
    await cut.close();
  }
});

test('unknown routes are 404 problem+json', async () => {
  expectProblem(await call('GET', '/api/v1/nothing-here', await h.headers(randomUUID())), 404, 'ROUTE_NOT_FOUND');
});

test.run();
