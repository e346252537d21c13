import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSigner, generateSigningKey, publicJwks } from '@ticketping/auth-tokens';
import {
  INTERNAL_TOKEN, accessToken, makeKeys, problem, queueToken, startGateway, startStandIn,
  type Echo, type Keys, type RunningGateway, type StandIn,
} from './helpers.ts';

const SCHEDULE = randomUUID();
const PERFORMANCE = randomUUID();
const OTHER_SCHEDULE = randomUUID();
const OTHER_PERFORMANCE = randomUUID();
const fan = randomUUID();
const otherFan = randomUUID();
let keys: Keys;
let standIns: StandIn[] = [];
let gateway: RunningGateway;

test.before(async () => {
  keys = await makeKeys();
  const auth = await startStandIn('auth', { jwks: [keys.auth] });
  const catalog = await startStandIn('catalog', { schedules: { [SCHEDULE]: PERFORMANCE, [OTHER_SCHEDULE]: OTHER_PERFORMANCE } });
  const queue = await startStandIn('queue');
  const booking = await startStandIn('booking');
  const payment = await startStandIn('payment');
  standIns = [auth, catalog, queue, booking, payment];
  gateway = await startGateway({
    AUTH_URL: auth.url, CATALOG_URL: catalog.url, QUEUE_URL: queue.url, BOOKING_URL: booking.url, PAYMENT_URL: payment.url,
    QUEUE_JWKS: JSON.stringify(publicJwks([keys.queue])),
  });
});

test.after(async () => {
  await gateway?.close();
  await Promise.all(standIns.map((s) => s.server.close()));
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${gateway.base}${path}`, { headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function expectUnauthorized(token: string, code: string) {
  const res = await get('/api/v1/users/me', bearer(token));
  assert.is(res.status, 401, `expected 401 ${code}`);
  assert.is((await problem(res)).code, code);
}

test('a valid access token reaches the service as the verified identity', async () => {
  const res = await get('/api/v1/users/me', bearer(await accessToken(keys.authSigner, fan, { role: 'ADMIN' })));
  assert.is(res.status, 200);
  const echo = (await res.json()) as Echo;
  assert.equal([echo.service, echo.userId, echo.role, echo.authorization], ['auth', fan, 'ADMIN', null]);
});

test('alg: none is refused', async () => {
  const payload = { iss: 'ticketping-auth', aud: 'ticketping-api', sub: fan, role: 'ADMIN', jti: 'x', exp: Math.floor(Date.now() / 1000) + 600 };
  await expectUnauthorized(`${b64({ alg: 'none', typ: 'JWT', kid: 'auth-1' })}.${b64(payload)}.`, 'TOKEN_INVALID');
});

test('a token signed with another key (even with our kid) is refused', async () => {
  const forger = await createSigner('ticketping-auth', await generateSigningKey('auth-1'));
  await expectUnauthorized(await accessToken(forger, fan, { role: 'ADMIN' }), 'TOKEN_INVALID');
});

test('an expired token is refused', async () => {
  await expectUnauthorized(await accessToken(keys.authSigner, fan, { expiresInSeconds: -60 }), 'TOKEN_EXPIRED');
});

test('a token for another audience, or an admission token used as an access token, is refused', async () => {
  await expectUnauthorized(await accessToken(keys.authSigner, fan, { audience: 'ticketping-admin' }), 'TOKEN_INVALID');
  await expectUnauthorized(await queueToken(keys.queueSigner, fan, 'ticketping-api'), 'TOKEN_INVALID');
});

test('junk in the Authorization header is a 401, never a 500', async () => {
  for (const header of ['Bearer', 'Bearer abc', 'Basic dXNlcjpwYXNz', 'Bearer a.b.c', `Bearer ${'x'.repeat(5000)}.y.z`]) {
    const res = await get('/api/v1/users/me', { authorization: header });
    assert.is(res.status, 401, header.slice(0, 20));
  }
});

test('malformed percent-encoding in a path is a 400, never a 500', async () => {
  const auth = bearer(await accessToken(keys.authSigner, fan));
  for (const path of ['/api/v1/orders/%E0%A4%A', '/api/v1/performances/%']) {
    const res = await get(path, auth);
    assert.is(res.status, 400, path);
    assert.is((await problem(res)).status, 400);
  }
});

test('an invalid token on a public route is a 401 too', async () => {
  const res = await get('/api/v1/performances', bearer('not.a.token'));
  assert.is(res.status, 401);
  assert.is((await get('/api/v1/performances')).status, 200);
});

test('identity and internal headers sent by the client are stripped: nobody becomes admin or another fan', async () => {
  const spoof = { 'x-user-id': otherFan, 'x-user-role': 'ADMIN', 'x-internal-token': 'guessed', 'x-forwarded-for': '198.51.100.7' };
  const asFan = (await (await get('/api/v1/orders', { ...spoof, ...bearer(await accessToken(keys.authSigner, fan)) })).json()) as Echo;
  assert.equal([asFan.userId, asFan.role, asFan.forwardedFor], [fan, 'USER', '198.51.100.7']);
  const anonymous = (await (await get('/api/v1/performances', spoof)).json()) as Echo;
  assert.equal([anonymous.userId, anonymous.role], [null, null]);
  const noToken = await get('/api/v1/orders', spoof);
  assert.is(noToken.status, 401, 'identity headers alone do not log anyone in');
});

test('status polls (the lean path) keep the same gate: token, stripped identity, request id, security headers', async () => {
  const spoof = { 'x-user-id': otherFan, 'x-user-role': 'ADMIN', 'x-internal-token': 'guessed', 'x-request-id': 'poll-1' };
  const poll = `/api/v1/queues/${PERFORMANCE}/entries/me`;
  const res = await get(poll, { ...spoof, ...bearer(await accessToken(keys.authSigner, fan)) });
  assert.is(res.status, 200);
  assert.equal([res.headers.get('x-request-id'), res.headers.get('x-content-type-options')], ['poll-1', 'nosniff']);
  const seen = (await res.json()) as Echo;
  // a poll reaches the queue in a batch that names only the fan the token proves
  assert.equal([seen.service, seen.url, seen.userId, seen.authorization], ['queue', poll, fan, null]);
  const noToken = await get(poll, spoof);
  assert.equal([noToken.status, (await problem(noToken)).code], [401, 'UNAUTHORIZED']);
  const badToken = await get(poll, bearer('not.a.token'));
  assert.equal([badToken.status, (await problem(badToken)).code], [401, 'TOKEN_INVALID']);
});

test('services refuse calls that do not come through the gateway', async () => {
  const booking = standIns.find((s) => s.name === 'booking')!;
  const direct = await fetch(`${booking.url}/api/v1/orders`, { headers: { 'x-user-id': fan, 'x-user-role': 'ADMIN' } });
  assert.is(direct.status, 401);
  assert.is((await problem(direct)).code, 'INTERNAL_ONLY');
  const withToken = await fetch(`${booking.url}/api/v1/orders`, { headers: { 'x-internal-token': INTERNAL_TOKEN } });
  assert.is(withToken.status, 200);
});

test('a 1 MB body is a 413 problem+json, with or without a content-length', async () => {
  const big = JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(1024 * 1024), nickname: 'n' });
  const declared = await fetch(`${gateway.base}/api/v1/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
  assert.is(declared.status, 413);
  assert.is((await problem(declared)).code, 'PAYLOAD_TOO_LARGE');
  const chunks = new ReadableStream({ start(c) { for (let i = 0; i < 16; i++) c.enqueue(new Uint8Array(64 * 1024)); c.close(); } });
  const streamed = await fetch(`${gateway.base}/api/v1/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chunks, duplex: 'half' } as RequestInit);
  assert.is(streamed.status, 413);
  const rum = await fetch(`${gateway.base}/api/v1/rum`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
  assert.is(rum.status, 413);
});

async function order(headers: Record<string, string>, body: unknown = { scheduleId: SCHEDULE, seatIds: [randomUUID()] }) {
  return fetch(`${gateway.base}/api/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

test('booking writes need an admission token for this performance, this fan, still valid', async () => {
  const auth = bearer(await accessToken(keys.authSigner, fan));
  const cases: [string, Record<string, string>, string][] = [
    ['none', {}, 'QUEUE_TOKEN_REQUIRED'],
    ['another fan\'s', { 'x-queue-token': await queueToken(keys.queueSigner, otherFan, PERFORMANCE) }, 'QUEUE_TOKEN_INVALID'],
    ['another performance\'s', { 'x-queue-token': await queueToken(keys.queueSigner, fan, OTHER_PERFORMANCE) }, 'QUEUE_TOKEN_INVALID'],
    ['expired', { 'x-queue-token': await queueToken(keys.queueSigner, fan, PERFORMANCE, -60) }, 'QUEUE_TOKEN_INVALID'],
    ['signed by auth, not the queue', { 'x-queue-token': await accessToken(keys.authSigner, fan, { audience: PERFORMANCE }) }, 'QUEUE_TOKEN_INVALID'],
    ['garbage', { 'x-queue-token': 'garbage' }, 'QUEUE_TOKEN_INVALID'],
  ];
  for (const [label, headers, code] of cases) {
    const res = await order({ ...auth, ...headers });
    assert.is(res.status, 403, label);
    assert.is((await problem(res)).code, code, label);
  }
  const booking = standIns.find((s) => s.name === 'booking')!;
  assert.not.ok(booking.calls.some((c) => c.method === 'POST'), 'nothing reached booking');
});

test('a valid admission token lets the order through, body and token intact; the schedule lookup is cached', async () => {
  const catalog = standIns.find((s) => s.name === 'catalog')!;
  const before = catalog.scheduleLookups();
  const token = await queueToken(keys.queueSigner, fan, PERFORMANCE);
  const auth = bearer(await accessToken(keys.authSigner, fan));
  const seatIds = [randomUUID(), randomUUID()];
  const res = await order({ ...auth, 'x-queue-token': token }, { scheduleId: SCHEDULE, seatIds });
  assert.is(res.status, 201);
  const echo = (await res.json()) as Echo;
  assert.equal([echo.service, echo.userId, echo.queueToken, echo.body], ['booking', fan, token, { scheduleId: SCHEDULE, seatIds }]);
  assert.is((await order({ ...auth, 'x-queue-token': token })).status, 201);
  assert.ok(catalog.scheduleLookups() - before <= 1, 'one catalog lookup at most for the same schedule');
});

test('a bad order body is a 400 naming the field, an unknown schedule a 404', async () => {
  const headers = { ...bearer(await accessToken(keys.authSigner, fan)), 'x-queue-token': await queueToken(keys.queueSigner, fan, PERFORMANCE) };
  const missing = await order(headers, { seatIds: [] });
  assert.is(missing.status, 400);
  assert.match(String((await problem(missing)).detail), /body\.scheduleId/);
  const malformed = await order(headers, '{"scheduleId":');
  assert.equal([malformed.status, (await problem(malformed)).code], [400, 'MALFORMED_JSON']);
  const unknown = await order(headers, { scheduleId: randomUUID(), seatIds: [] });
  assert.equal([unknown.status, (await problem(unknown)).code], [404, 'SCHEDULE_NOT_FOUND']);
});

test.run();
