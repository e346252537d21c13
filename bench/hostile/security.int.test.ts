/**
 * OWASP API Top 10 items that apply to TicketPing, through the gateway of one standalone
 * platform: object-level authorisation (API1), broken authentication (API2), property-level
 * authorisation, i.e. mass assignment and excessive data exposure (API3), function-level
 * authorisation (API5), admission-token replay, and security headers (API8).
 * Rate limits live in rate-limit.int.test.ts so they cannot starve these checks.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '@ticketping/testing';
import { admit, admittedFan, adminToken, assertProblem, createPerformance, holdSeats, REQUEST_DEADLINE_MS, signUp, startPlatform, type Fan, type Platform, type Reply } from './support.ts';
import { hostileTokens, type HostileTokens } from './tokens.ts';

const CARD_OK = '4242424242424242';

let platform: Platform;
let admin: string;
let alice: Fan;
let bob: Fan;
let showA: Awaited<ReturnType<typeof createPerformance>>;
let showB: Awaited<ReturnType<typeof createPerformance>>;
let aliceQueueToken: string;
let bobQueueToken: string;
let forged: HostileTokens;
/** Alice's order from the first test (paid, so her admission slot is gone afterwards). */
let aliceOrderId: string;

test.before(async () => {
  platform = await startPlatform('security');
  admin = await adminToken(platform);
  [alice, bob] = await Promise.all([signUp(platform, 'alice'), signUp(platform, 'bob')]);
  [showA, showB] = await Promise.all([createPerformance(platform, admin), createPerformance(platform, admin)]);
  [aliceQueueToken, bobQueueToken] = await Promise.all([admit(platform, alice, showA.performanceId), admit(platform, bob, showA.performanceId)]);
  forged = await hostileTokens(platform.dataDir, alice.id);
});

test.after(async () => {
  await platform?.stop();
});

const pay = (fan: Fan, body: Record<string, unknown>) => platform.api('POST', '/payments', { token: fan.accessToken, body, headers: { 'idempotency-key': randomUUID() } });

test('API1: a fan cannot read, list, cancel or pay another fan\'s order, nor read their payment', async () => {
  const order = await holdSeats(platform, alice, aliceQueueToken, showA.scheduleId, showA.seatIds.slice(0, 1));
  const orderId = order.id as string;
  aliceOrderId = orderId;
  assertProblem(await platform.api('GET', `/orders/${orderId}`, { token: bob.accessToken }), 404);
  assertProblem(await platform.api('DELETE', `/orders/${orderId}`, { token: bob.accessToken }), 404);
  const bobsList = await platform.api('GET', '/orders', { token: bob.accessToken });
  assert.not.ok((bobsList.body.items as Array<{ id: string }>).some((o) => o.id === orderId), 'not in another fan\'s list');
  const bobPays = await pay(bob, { orderId, method: { type: 'card', cardNumber: CARD_OK } });
  assert.ok([403, 404].includes(bobPays.status), `paying another fan's order: ${bobPays.status} ${bobPays.text}`);
  const stillAlices = await platform.api('GET', `/orders/${orderId}`, { token: alice.accessToken });
  assert.is(stillAlices.body.status, 'PENDING_PAYMENT', 'Bob\'s attempts changed nothing');

  const payment = await eventually(async () => {
    const paid = await pay(alice, { orderId, method: { type: 'card', cardNumber: CARD_OK } });
    return paid.status === 201 ? paid.body : undefined; // payment learns of the order from booking's event
  }, 10_000, 200);
  assertProblem(await platform.api('GET', `/payments/${payment.id as string}`, { token: bob.accessToken }), 404);
  const own = await platform.api('GET', `/payments/${payment.id as string}`, { token: alice.accessToken });
  assert.is(own.status, 200, own.text);
});

test('API1: identity headers a client sends are not trusted (x-user-id, x-user-role, x-internal-token)', async () => {
  const spoof = { 'x-user-id': alice.id, 'x-user-role': 'ADMIN', 'x-internal-token': 'x'.repeat(32) };
  assertProblem(await platform.api('GET', `/orders/${aliceOrderId}`, { token: bob.accessToken, headers: spoof }), 404);
  assertProblem(await platform.api('GET', '/users/me', { headers: spoof }), 401);
  const asAdmin = await platform.api('POST', '/performances', { token: bob.accessToken, headers: spoof, body: {} });
  assertProblem(asAdmin, 403, 'ADMIN_ONLY');
});

test('API5: admin functions answer 403 ADMIN_ONLY to a fan', async () => {
  const order = await holdSeats(platform, bob, bobQueueToken, showA.scheduleId, showA.seatIds.slice(2, 3));
  const attempts: Array<[string, string, unknown]> = [
    ['POST', '/performances', { title: 'mine' }],
    ['PATCH', `/performances/${showA.performanceId}`, { title: 'mine' }],
    ['POST', `/performances/${showA.performanceId}/cancel`, {}],
    ['PATCH', `/queues/${showA.performanceId}`, { capacity: 100000 }],
    ['POST', `/orders/${order.id as string}/refund`, {}],
  ];
  for (const [method, route, body] of attempts) assertProblem(await platform.api(method, route, { token: bob.accessToken, body }), 403, 'ADMIN_ONLY');
});

test('API3 mass assignment: sign-up cannot choose a role; orders and payments take no price, amount, status or owner', async () => {
  const email = `mallory-${randomUUID().slice(0, 8)}@fans.test`;
  const created = await platform.api('POST', '/users', { body: { email, password: 'correct horse battery', nickname: 'mallory', role: 'ADMIN', id: randomUUID() } });
  assert.ok([201, 400].includes(created.status), created.text);
  if (created.status === 201) {
    const login = await platform.api('POST', '/auth/login', { body: { email, password: 'correct horse battery' } });
    const me = await platform.api('GET', '/users/me', { token: login.body.accessToken as string });
    assert.is(me.body.role, 'USER');
  }

  const { fan: greedy, queueToken } = await admittedFan(platform, 'greedy', showA.performanceId);
  const seat = showA.seatIds[3]!;
  for (const extra of [{ price: 1 }, { amount: 1 }, { status: 'CONFIRMED' }, { userId: bob.id }, { currency: 'KRW' }, { seats: [{ id: seat, price: 1 }] }]) {
    const reply = await platform.api('POST', '/orders', {
      token: greedy.accessToken, body: { scheduleId: showA.scheduleId, seatIds: [seat], ...extra },
      headers: { 'x-queue-token': queueToken, 'idempotency-key': randomUUID() },
    });
    if (reply.status === 201) {
      assert.equal([reply.body.amount, reply.body.status, reply.body.currency], [15000, 'PENDING_PAYMENT', 'USD'], `ignored ${JSON.stringify(extra)}`);
      break; // the seat is held now; the other fields were checked the same way
    } else {
      assertProblem(reply, 400);
    }
  }

  const payer = await admittedFan(platform, 'payer', showA.performanceId);
  const order = await holdSeats(platform, payer.fan, payer.queueToken, showA.scheduleId, showA.seatIds.slice(4, 6));
  assert.is(order.amount, 30000);
  for (const extra of [{ amount: 1 }, { status: 'SUCCEEDED' }, { currency: 'KRW' }, { userId: bob.id }]) {
    const reply = await pay(payer.fan, { orderId: order.id, method: { type: 'card', cardNumber: '4000000000000002' }, ...extra });
    if (reply.status === 201) assert.equal([reply.body.amount, reply.body.currency], [30000, 'USD'], `ignored ${JSON.stringify(extra)}`);
    else assert.ok(reply.status === 400 || reply.status === 404, `${JSON.stringify(extra)}: ${reply.status} ${reply.text}`);
  }
  const after = await platform.api('GET', `/orders/${order.id as string}`, { token: payer.fan.accessToken });
  assert.is(after.body.status, 'PENDING_PAYMENT', 'a client-set status was never applied');
});

test('admission tokens cannot be replayed by another fan, for another performance, or edited', async () => {
  const { fan: frank, queueToken: franksToken } = await admittedFan(platform, 'frank', showA.performanceId);
  const seat = [showB.seatIds[0]!];
  const tryHold = (fan: Fan, queueToken: string, scheduleId: string, seatIds: string[]) => platform.api('POST', '/orders', {
    token: fan.accessToken, body: { scheduleId, seatIds }, headers: { 'x-queue-token': queueToken, 'idempotency-key': randomUUID() },
  });
  assertProblem(await tryHold(bob, franksToken, showA.scheduleId, [showA.seatIds[10]!]), 403, 'QUEUE_TOKEN_INVALID');
  assertProblem(await tryHold(frank, franksToken, showB.scheduleId, seat), 403, 'QUEUE_TOKEN_INVALID');
  const [header, payload, signature] = franksToken.split('.');
  const reaimed = { ...(JSON.parse(Buffer.from(payload!, 'base64url').toString()) as object), aud: showB.performanceId };
  assertProblem(await tryHold(frank, `${header}.${Buffer.from(JSON.stringify(reaimed)).toString('base64url')}.${signature}`, showB.scheduleId, seat), 403, 'QUEUE_TOKEN_INVALID');
  assertProblem(await tryHold(frank, frank.accessToken, showA.scheduleId, [showA.seatIds[10]!]), 403, 'QUEUE_TOKEN_INVALID');
  assertProblem(await tryHold(frank, 'junk', showA.scheduleId, [showA.seatIds[10]!]), 403, 'QUEUE_TOKEN_INVALID');
  const own = await holdSeats(platform, frank, franksToken, showA.scheduleId, [showA.seatIds[10]!]);
  assert.is(own.status, 'PENDING_PAYMENT', 'the token was live: its owner can use it for its performance');
});

test('API2: expired, forged, unsigned, tampered and wrong-audience tokens are 401 on private and public routes alike', async () => {
  const cases: Array<[string, string, string[]]> = [
    ['expired', forged.expired, ['TOKEN_EXPIRED']],
    ['forged by another key, claiming ADMIN', forged.forgedAdmin, ['TOKEN_INVALID']],
    ['forged under the real kid', forged.forgedSameKid, ['TOKEN_INVALID']],
    ['alg none', forged.unsigned, ['TOKEN_INVALID']],
    ['payload edited to ADMIN', forged.tampered(alice.accessToken), ['TOKEN_INVALID']],
    ['wrong audience', forged.wrongAudience, ['TOKEN_INVALID', 'TOKEN_WRONG_AUDIENCE']],
    ['an admission token', aliceQueueToken, ['TOKEN_INVALID', 'TOKEN_WRONG_AUDIENCE']],
  ];
  for (const [name, token, codes] of cases) {
    for (const [method, route] of [['GET', '/users/me'], ['POST', '/performances'], ['GET', '/performances']] as const) {
      const reply = await platform.api(method, route, { token, ...(method === 'POST' ? { body: {} } : {}) });
      assertProblem(reply, 401);
      assert.ok(codes.includes(reply.body.code as string), `${name} on ${method} ${route}: ${reply.text}`);
    }
  }
});

test('API2: a refresh token works once; reusing it revokes the whole login (a retry within the grace gets the same pair)', async () => {
  const fan = await signUp(platform, 'rotator');
  const first = await platform.api('POST', '/auth/refresh', { body: { refreshToken: fan.refreshToken } });
  assert.is(first.status, 200, first.text);
  // the response was lost and the client retries at once: the same pair, nobody logged out
  const retried = await platform.api('POST', '/auth/refresh', { body: { refreshToken: fan.refreshToken } });
  assert.equal([retried.status, retried.body.refreshToken], [200, first.body.refreshToken], retried.text);
  const second = await platform.api('POST', '/auth/refresh', { body: { refreshToken: first.body.refreshToken } });
  assert.is(second.status, 200, second.text);
  // the pair has been used since: the old token again is a thief's
  assertProblem(await platform.api('POST', '/auth/refresh', { body: { refreshToken: fan.refreshToken } }), 401, 'REFRESH_TOKEN_REUSED');
  assertProblem(await platform.api('POST', '/auth/refresh', { body: { refreshToken: second.body.refreshToken } }), 401);
});

test('API2: an unknown email and a wrong password get the same answer', async () => {
  const unknown = await platform.api('POST', '/auth/login', { body: { email: `nobody-${randomUUID()}@fans.test`, password: 'whatever1' } });
  const wrong = await platform.api('POST', '/auth/login', { body: { email: bob.email, password: 'not his password' } });
  assertProblem(unknown, 401, 'INVALID_CREDENTIALS');
  assertProblem(wrong, 401, 'INVALID_CREDENTIALS');
  assert.is(unknown.body.detail, wrong.body.detail);
});

/** Keys that must never reach a client, anywhere in a body. */
const SECRET_KEY = /pass(word)?|hash|salt|secret|internal|cardnumber|cvc|cvv|private|stack/i;

function leaks(reply: Reply, path = '$', value: unknown = reply.body): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaks(reply, `${path}[${i}]`, v));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [...(SECRET_KEY.test(k) ? [`${path}.${k}`] : []), ...leaks(reply, `${path}.${k}`, v)]);
}

test('API3 data exposure: no password hashes, card numbers, internal fields or stack traces in any answer', async () => {
  const fan = await signUp(platform, 'carol');
  const queueToken = await admit(platform, fan, showB.performanceId);
  const order = await holdSeats(platform, fan, queueToken, showB.scheduleId, showB.seatIds.slice(5, 6));
  const payment = await eventually(async () => {
    const paid = await pay(fan, { orderId: order.id, method: { type: 'card', cardNumber: CARD_OK } });
    return paid.status === 201 ? paid : undefined;
  }, 10_000, 200);
  const replies: Reply[] = [
    await platform.api('POST', '/users', { body: { email: `dave-${randomUUID().slice(0, 8)}@fans.test`, password: 'correct horse battery', nickname: 'dave' } }),
    await platform.api('POST', '/auth/login', { body: { email: fan.email, password: fan.password } }),
    await platform.api('GET', '/users/me', { token: fan.accessToken }),
    await platform.api('GET', `/performances/${showB.performanceId}`),
    await platform.api('GET', `/schedules/${showB.scheduleId}/seats`),
    await platform.api('GET', `/queues/${showB.performanceId}/entries/me`, { token: fan.accessToken }),
    await platform.api('GET', `/orders/${order.id as string}`, { token: fan.accessToken }),
    await platform.api('GET', '/orders', { token: fan.accessToken }),
    payment,
    await platform.api('GET', `/payments/${payment.body.id as string}`, { token: fan.accessToken }),
    await platform.api('GET', '/orders/not-a-uuid', { token: fan.accessToken }),
    await platform.api('POST', '/orders', { token: fan.accessToken, rawBody: '{"broken":', headers: { 'x-queue-token': queueToken } }),
  ];
  for (const reply of replies) {
    assert.equal(leaks(reply), [], reply.text.slice(0, 300));
    assert.not.ok(reply.text.includes(CARD_OK), `the full card number comes back: ${reply.text}`);
    assert.not.ok(/\bat .+\.ts:\d+/.test(reply.text), `a stack trace: ${reply.text}`);
    assert.not.ok(reply.text.includes(fan.password), 'the password comes back');
  }
});

test('API8: security headers on API answers, errors and pages; no framework banner; no CORS for strangers', async () => {
  const answers = [
    await platform.api('GET', '/performances'),
    await platform.api('GET', '/users/me'),
    await platform.api('GET', '/nope'),
  ];
  const page = await fetch(`${platform.standalone.url}/`, { signal: AbortSignal.timeout(REQUEST_DEADLINE_MS) });
  await page.arrayBuffer();
  for (const { headers } of [...answers, page]) {
    assert.is(headers.get('x-content-type-options'), 'nosniff');
    assert.is(headers.get('x-powered-by'), null);
    assert.ok(headers.get('strict-transport-security'), 'HSTS');
    assert.ok(headers.get('content-security-policy')?.includes("frame-ancestors 'none'") || headers.get('x-frame-options'), 'framing refused');
    assert.ok(headers.get('x-request-id'));
  }
  const cors = await platform.api('GET', '/performances', { headers: { origin: 'https://evil.example' } });
  assert.is(cors.headers.get('access-control-allow-origin'), null);
  assert.is(cors.headers.get('access-control-allow-credentials'), null);
});

test.run();
