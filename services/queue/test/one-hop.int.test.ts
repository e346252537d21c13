import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSigner, generateSigningKey, publicJwks, type TokenSigner } from '@ticketping/auth-tokens';
import { expectContractAt, randomPrefix } from '@ticketping/testing';
import { INTERNAL_TOKEN, startQueue, type QueueHarness } from './helpers.ts';

/**
 * QUEUE_ONE_HOP: the ingress sends a fan's own status polls (and leaving) straight to the queue,
 * which applies the gateway's steps itself (packages/edge). What the fan meets must be what the
 * gateway would have done: the access token, the shared rate limits, the security and CORS headers.
 */
const WEB_ORIGIN = 'https://fans.example';
const POLLS_PER_USER = 5;
let harness: QueueHarness;
let signer: TokenSigner;
let stranger: TokenSigner;
const queues: string[] = [];

test.before(async () => {
  const authKey = await generateSigningKey('auth-1');
  signer = await createSigner('ticketping-auth', authKey);
  stranger = await createSigner('ticketping-auth', await generateSigningKey('auth-1'));
  harness = await startQueue(queues, {
    QUEUE_ONE_HOP: 'true', QUEUE_POW_MAX_NUMBER: '0',
    AUTH_JWKS: JSON.stringify(publicJwks([authKey])), WEB_ORIGIN,
    REDIS_KEY_PREFIX: `tp:${randomPrefix('onehop')}`,
    // windows are aligned to the clock: a day-long one is not crossed mid-test
    RATE_LIMIT_WINDOW_SECONDS: '86400', RATE_LIMIT_POLL_PER_USER: String(POLLS_PER_USER),
  });
});

test.after(async () => {
  await harness.queue.stop();
  await harness.close();
});

const bearer = async (subject: string, by = signer) =>
  `Bearer ${(await by.sign({ subject, audience: 'ticketping-api', expiresInSeconds: 600, claims: { role: 'USER' } })).token}`;

/** As the gateway calls the queue: the internal credential and the identity it verified. */
const fromGateway = (user: string) => ({ 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': user, 'content-type': 'application/json' });

async function call(method: string, path: string, headers: Record<string, string>) {
  const res = await fetch(`${harness.base}${path}`, { method, headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** A line of one admitted fan; `waiting` more wait behind them. */
async function lineWith(waiting: string[]): Promise<string> {
  const id = randomUUID();
  queues.push(id);
  assert.is((await fetch(`${harness.base}/internal/v1/queues/${id}`, { method: 'PUT', headers: fromGateway(randomUUID()), body: JSON.stringify({ capacity: 1, admitPerMinute: 1 }) })).status, 201);
  for (const user of [randomUUID(), ...waiting]) {
    assert.is((await fetch(`${harness.base}/api/v1/queues/${id}/entries`, { method: 'POST', headers: fromGateway(user), body: '{}' })).status, 200);
  }
  return id;
}

test('a fan polls with the access token alone and gets what the gateway would have answered, with its headers', async () => {
  const fan = randomUUID();
  const id = await lineWith([fan]);
  const path = `/api/v1/queues/${id}/entries/me`;
  const direct = await call('GET', path, { authorization: await bearer(fan) });
  assert.is(direct.status, 200);
  expectContractAt('GET', path, direct.status, direct.body);
  assert.equal([direct.body.status, direct.body.position], ['WAITING', 1]);
  assert.is(direct.headers.get('cache-control'), 'no-store');
  assert.match(direct.headers.get('content-security-policy') ?? '', /script-src 'self' 'wasm-unsafe-eval'/);
  assert.is(direct.headers.get('x-content-type-options'), 'nosniff');
  const viaGateway = await call('GET', path, fromGateway(fan));
  const timeless = ({ etaSeconds: _eta, pollAfterMs: _poll, ...rest }: Record<string, unknown>) => rest;
  assert.equal(timeless(direct.body), timeless(viaGateway.body), 'the same answer by either door (but for the times, which move)');
});

test('without a valid token a poll is refused as the gateway refuses it; a client cannot claim an identity', async () => {
  const [fan, other] = [randomUUID(), randomUUID()];
  const id = await lineWith([fan, other]);
  const path = `/api/v1/queues/${id}/entries/me`;
  const anonymous = await call('GET', path, {});
  assert.equal([anonymous.status, anonymous.body.code], [401, 'UNAUTHORIZED']);
  assert.is(anonymous.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  const claimed = await call('GET', path, { 'x-user-id': fan, 'x-internal-token': 'not-the-internal-token' });
  assert.equal([claimed.status, claimed.body.code], [401, 'UNAUTHORIZED'], 'identity headers count only beside the internal credential');
  const forged = await call('GET', path, { authorization: await bearer(fan, stranger) });
  assert.equal([forged.status, forged.body.code], [401, 'TOKEN_INVALID']);
  const mixed = await call('GET', path, { authorization: await bearer(other), 'x-user-id': fan });
  assert.equal([mixed.status, mixed.body.position], [200, 2], "the token's subject, not the header, is the caller");
});

test('polls count against the per-user budget; past it a 429 with Retry-After', async () => {
  const fan = randomUUID();
  const id = await lineWith([fan]);
  const token = await bearer(fan);
  for (let i = 0; i < POLLS_PER_USER; i++) assert.is((await call('GET', `/api/v1/queues/${id}/entries/me`, { authorization: token })).status, 200);
  const limited = await call('GET', `/api/v1/queues/${id}/entries/me`, { authorization: token });
  assert.equal([limited.status, limited.body.code], [429, 'RATE_LIMITED']);
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  assert.is((await call('GET', `/api/v1/queues/${id}/entries/me`, fromGateway(fan))).status, 200, "the gateway's calls are counted by the gateway, not here");
});

test('a fan leaves by the same door; the routes not on it stay the gateway’s', async () => {
  const fan = randomUUID();
  const id = await lineWith([fan]);
  const token = await bearer(fan);
  assert.is((await call('DELETE', `/api/v1/queues/${id}/entries/me`, { authorization: token })).status, 204);
  assert.equal((await call('GET', `/api/v1/queues/${id}/entries/me`, { authorization: token })).body.code, 'NOT_IN_QUEUE');
  for (const [method, path] of [['GET', `/api/v1/queues/${id}`], ['POST', `/api/v1/queues/${id}/entries`], ['GET', `/api/v1/queues/${id}/timeline`]] as const) {
    const refused = await call(method, path, { authorization: token });
    assert.equal([refused.status, refused.body.code], [401, 'INTERNAL_ONLY'], `${method} ${path}`);
  }
});

test('a browser on the web origin may poll across origins; a preflight is answered here', async () => {
  const path = `/api/v1/queues/${randomUUID()}/entries/me`;
  const preflight = await call('OPTIONS', path, { origin: WEB_ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' });
  assert.is(preflight.status, 204);
  assert.is(preflight.headers.get('access-control-allow-origin'), WEB_ORIGIN);
  assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/);
  const elsewhere = await call('OPTIONS', path, { origin: 'https://other.example', 'access-control-request-method': 'GET' });
  assert.is(elsewhere.headers.get('access-control-allow-origin'), null);
});

test('off by default: a fan without the gateway is refused', async () => {
  const plain = await startQueue([]);
  try {
    const refused = await fetch(`${plain.base}/api/v1/queues/${randomUUID()}/entries/me`, { headers: { authorization: await bearer(randomUUID()) } });
    assert.equal([refused.status, ((await refused.json()) as { code: string }).code], [401, 'INTERNAL_ONLY']);
  } finally {
    await plain.close();
  }
});

test.run();
