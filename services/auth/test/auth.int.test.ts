import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { generateSigningKey } from '@ticketping/auth-tokens';
import { createTestDatabase, type TestDatabase } from '@ticketping/db/testing';
import { createRedis } from '@ticketping/redis';
import { expectContractAt, randomPrefix, testEnv } from '@ticketping/testing';
import { MIGRATIONS_DIRECTORY, SCHEMA } from '../src/migrate.ts';
import { INTERNAL_TOKEN, startAuth, type AuthUnderTest } from './harness.ts';

const ADMIN = { email: 'Boss@Example.test', password: 'admin-password-1' };
const keyPrefix = randomPrefix('auth');
const redis = createRedis({ url: testEnv.redisUrl });
let db: TestDatabase;
let auth: AuthUnderTest;
let base = '';
let signingKids: string[] = [];
let signingKeys: unknown[] = [];

test.before(async () => {
  db = await createTestDatabase(testEnv.postgresUrl, [{ directory: MIGRATIONS_DIRECTORY, schema: SCHEMA }]);
  const keys = [await generateSigningKey('current'), await generateSigningKey('previous')];
  signingKids = keys.map((k) => k.kid);
  signingKeys = keys;
  auth = await startAuth({ db, redis }, {
    PASSWORD_HASH_COST: '13',
    REDIS_KEY_PREFIX: keyPrefix,
    LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
    LOGIN_MAX_FAILURES_PER_IP: '6',
    LOGIN_MAX_FAILURES_PER_RANGE: '10',
    AUTH_SIGNING_KEY: JSON.stringify(keys),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  });
  base = auth.base;
});

test.after(async () => {
  await auth?.close();
  await db?.drop();
  const keys = await redis.keys(`${keyPrefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

interface CallOptions { body?: unknown; rawBody?: string; userId?: string; internal?: boolean; ip?: string }

/** Calls auth the way the gateway does: internal token, identity headers, the client IP in x-forwarded-for. */
async function call(method: string, route: string, options: CallOptions = {}) {
  const headers: Record<string, string> = {};
  if (options.internal ?? true) headers['x-internal-token'] = INTERNAL_TOKEN;
  if (options.userId) headers['x-user-id'] = options.userId;
  if (options.ip) headers['x-forwarded-for'] = options.ip;
  if (options.body !== undefined || options.rawBody !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${route}`, { method, headers, body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)) });
  const text = await res.text();
  const body = (text ? JSON.parse(text) : undefined) as Record<string, unknown>;
  // INTERNAL_ONLY is what a caller that skipped the gateway gets: never a fan, so not in the public contract
  if (body?.code !== 'INTERNAL_ONLY') expectContractAt(method, route, res.status, body);
  return { status: res.status, headers: res.headers, body };
}

let emailCounter = 0;
const newEmail = () => `fan${++emailCounter}.${keyPrefix}@example.test`;

async function signUpAndLogin(ip = '10.0.0.1') {
  const email = newEmail();
  const password = 'fan-password-1';
  const signUp = await call('POST', '/api/v1/users', { body: { email, password, nickname: 'Fan' } });
  assert.is(signUp.status, 201);
  const login = await call('POST', '/api/v1/auth/login', { body: { email, password }, ip });
  assert.is(login.status, 200);
  return { id: signUp.body.id as string, email, password, tokens: login.body as { accessToken: string; refreshToken: string } };
}

test('sign-up creates a USER (a role in the body is ignored) and rejects a taken email in any case', async () => {
  const email = newEmail();
  const created = await call('POST', '/api/v1/users', { body: { email: email.toUpperCase(), password: 'long-enough', nickname: ' Mina ', role: 'ADMIN' } });
  assert.is(created.status, 201);
  assert.equal(Object.keys(created.body).sort(), ['email', 'id', 'nickname']);
  assert.equal([created.body.email, created.body.nickname], [email, 'Mina']);
  const me = await call('GET', '/api/v1/users/me', { userId: created.body.id as string });
  assert.is(me.body.role, 'USER');
  const again = await call('POST', '/api/v1/users', { body: { email, password: 'long-enough', nickname: 'Other' } });
  assert.equal([again.status, again.body.code], [409, 'EMAIL_TAKEN']);
});

test('bad sign-up input is a 400 naming each field, never a 500', async () => {
  const res = await call('POST', '/api/v1/users', { body: { email: 'not-an-email', password: 'short' } });
  assert.is(res.status, 400);
  assert.equal((res.body.errors as { field: string }[]).map((e) => e.field).sort(), ['body.email', 'body.nickname', 'body.password']);
  const malformed = await call('POST', '/api/v1/users', { rawBody: '{"email":' });
  assert.equal([malformed.status, malformed.body.code], [400, 'MALFORMED_JSON']);
});

test('login returns a short-lived EdDSA access token with kid, verifiable against the published JWKS', async () => {
  const fan = await signUpAndLogin();
  assert.equal(Object.keys(fan.tokens).sort(), ['accessToken', 'expiresIn', 'refreshToken', 'tokenType']);
  const jwks = await (await fetch(`${base}/.well-known/jwks.json`)).json() as JSONWebKeySet;
  assert.equal(jwks.keys.map((k) => k.kid), signingKids, 'every configured key is published');
  assert.ok(jwks.keys.every((k) => !('d' in k)), 'no private parts');
  const header = decodeProtectedHeader(fan.tokens.accessToken);
  assert.equal([header.alg, header.kid], ['EdDSA', 'current'], 'the first key signs');
  const { payload } = await jwtVerify(fan.tokens.accessToken, createLocalJWKSet(jwks), { issuer: 'ticketping-auth', audience: 'ticketping-api' });
  assert.equal([payload.sub, payload.role], [fan.id, 'USER']);
  assert.is(payload.exp! - payload.iat!, 900);
});

test('an unknown email and a wrong password get the same answer, and each costs one password hash', async () => {
  // The time an answer takes is what an attacker measures; its cause is the scrypt run, counted
  // here rather than timed, so the test holds on a machine of any speed or load.
  const loginHashes = async () => (await auth.metrics.registry.getSingleMetric('ticketping_auth_password_hashes_total')!.get()).values.find((v) => v.labels.priority === 'login')?.value ?? 0;
  const attempt = async (body: object, ip: string) => {
    const before = await loginHashes();
    const res = await call('POST', '/api/v1/auth/login', { body, ip });
    return { answer: { status: res.status, code: res.body.code, detail: res.body.detail, title: res.body.title }, hashes: (await loginHashes()) - before };
  };
  const fan = await signUpAndLogin();
  const wrong = await attempt({ email: fan.email, password: 'not-the-password' }, '10.1.0.1');
  const unknown = await attempt({ email: `nobody.${keyPrefix}@example.test`, password: 'not-the-password' }, '10.1.1.1');
  assert.equal(unknown.answer, wrong.answer);
  assert.equal(wrong.answer, { status: 401, code: 'INVALID_CREDENTIALS', detail: 'The email or password is incorrect', title: 'Unauthorized' });
  assert.is(wrong.hashes, 1, 'a wrong password is checked with one hash');
  assert.is(unknown.hashes, 1, 'an unknown e-mail costs the same hash');
});

test('failed logins are throttled per account from one address range, unknown or not; the owner elsewhere still gets in', async () => {
  const fan = await signUpAndLogin();
  const ghost = `ghost.${keyPrefix}@example.test`;
  for (const [email, range] of [[fan.email, '10.2.0'], [ghost, '10.2.1']] as const) {
    // the attacker walks the addresses of its /24: one budget
    for (let i = 0; i < 3; i++) assert.is((await call('POST', '/api/v1/auth/login', { body: { email, password: 'wrong-guess' }, ip: `${range}.${i + 1}` })).status, 401);
    const throttled = await call('POST', '/api/v1/auth/login', { body: { email, password: 'wrong-guess' }, ip: `${range}.99` });
    assert.equal([throttled.status, throttled.body.code], [429, 'LOGIN_THROTTLED']);
    assert.ok(Number(throttled.headers.get('retry-after')) > 0);
  }
  // the right password from inside the attacker's range is throttled too (it could be the attacker's last guess)…
  assert.is((await call('POST', '/api/v1/auth/login', { body: { email: fan.email, password: fan.password }, ip: '10.2.0.200' })).status, 429);
  // …but the owner from their own network is not locked out by someone else's guesses
  const owner = await call('POST', '/api/v1/auth/login', { body: { email: fan.email, password: fan.password }, ip: '10.2.9.9' });
  assert.is(owner.status, 200);
  const ownerV6 = await call('POST', '/api/v1/auth/login', { body: { email: fan.email, password: fan.password }, ip: '2001:db8:9::1' });
  assert.is(ownerV6.status, 200);
});

test('failed logins are throttled per address range across accounts and addresses', async () => {
  // LOGIN_MAX_FAILURES_PER_RANGE is 10: one /64 spraying from many addresses and accounts
  for (let i = 0; i < 10; i++) {
    const res = await call('POST', '/api/v1/auth/login', { body: { email: `range${i}.${keyPrefix}@example.test`, password: 'password1' }, ip: `2001:db8:77:1::${i + 1}` });
    assert.is(res.status, 401);
  }
  const blocked = await call('POST', '/api/v1/auth/login', { body: { email: `range-last.${keyPrefix}@example.test`, password: 'password1' }, ip: '2001:db8:77:1::ffff' });
  assert.equal([blocked.status, blocked.body.code], [429, 'LOGIN_THROTTLED']);
  const otherRange = await call('POST', '/api/v1/auth/login', { body: { email: `range-last.${keyPrefix}@example.test`, password: 'password1' }, ip: '2001:db8:77:2::1' });
  assert.is(otherRange.status, 401);
});

test('failed logins are throttled per client IP across accounts; successes do not use the budget up', async () => {
  const ip = '10.3.0.1';
  for (let i = 0; i < 8; i++) await signUpAndLogin(ip); // successful logins from a shared IP (a venue's Wi-Fi)
  for (let i = 0; i < 6; i++) {
    const res = await call('POST', '/api/v1/auth/login', { body: { email: `spray${i}.${keyPrefix}@example.test`, password: 'password1' }, ip });
    assert.is(res.status, 401);
  }
  const blocked = await call('POST', '/api/v1/auth/login', { body: { email: `spray-last.${keyPrefix}@example.test`, password: 'password1' }, ip });
  assert.equal([blocked.status, blocked.body.code], [429, 'LOGIN_THROTTLED']);
  const elsewhere = await call('POST', '/api/v1/auth/login', { body: { email: `spray-last.${keyPrefix}@example.test`, password: 'password1' }, ip: '10.3.0.2' });
  assert.is(elsewhere.status, 401);
});

test('refresh rotates; a reused refresh token revokes the whole family', async () => {
  const fan = await signUpAndLogin();
  const first = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: fan.tokens.refreshToken } });
  assert.is(first.status, 200);
  assert.is.not(first.body.refreshToken, fan.tokens.refreshToken);
  const second = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.body.refreshToken } });
  assert.is(second.status, 200);

  const replayed = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: fan.tokens.refreshToken } });
  assert.equal([replayed.status, replayed.body.code], [401, 'REFRESH_TOKEN_REUSED']);
  const latest = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: second.body.refreshToken } });
  assert.equal([latest.status, latest.body.code], [401, 'INVALID_REFRESH_TOKEN'], 'the newest token of the family died too');

  const otherLogin = await call('POST', '/api/v1/auth/login', { body: { email: fan.email, password: fan.password }, ip: '10.4.0.1' });
  assert.is((await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: otherLogin.body.refreshToken } })).status, 200, 'other logins live on');
});

test('a refresh retried within the grace (response lost) gets the same pair, and the login lives on', async () => {
  const fan = await signUpAndLogin();
  const [first, retried] = await Promise.all([1, 2].map(() => call('POST', '/api/v1/auth/refresh', { body: { refreshToken: fan.tokens.refreshToken } })));
  assert.equal([first!.status, retried!.status], [200, 200]);
  assert.equal(retried!.body, first!.body, 'the same new pair, not a second one');
  const again = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: fan.tokens.refreshToken } });
  assert.equal(again.body, first!.body);
  const next = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: first!.body.refreshToken } });
  assert.is(next.status, 200, 'the pair it got works');

  // the pair it issued has been used since: the old token again is theft, not a retry
  const stale = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: fan.tokens.refreshToken } });
  assert.equal([stale.status, stale.body.code], [401, 'REFRESH_TOKEN_REUSED']);
  assert.is((await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: next.body.refreshToken } })).status, 401, 'the family is revoked');
});

test('after the grace, a reused refresh token still revokes the whole family', async () => {
  const fan = await signUpAndLogin();
  const brief = await startAuth({ db, redis }, { PASSWORD_HASH_COST: '13', REDIS_KEY_PREFIX: keyPrefix, AUTH_SIGNING_KEY: JSON.stringify(signingKeys), REFRESH_RETRY_GRACE_SECONDS: '1' });
  const refresh = (refreshToken: unknown) => fetch(`${brief.base}/api/v1/auth/refresh`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN }, body: JSON.stringify({ refreshToken }),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }));
  try {
    const first = await refresh(fan.tokens.refreshToken);
    assert.is(first.status, 200);
    const usedAt = Date.now();
    // the grace is about time passing, so this waits for it (1 s) rather than for an event
    await new Promise((resolve) => setTimeout(resolve, 1100 - (Date.now() - usedAt)));
    const late = await refresh(fan.tokens.refreshToken);
    assert.equal([late.status, late.body.code], [401, 'REFRESH_TOKEN_REUSED']);
    assert.is((await refresh(first.body.refreshToken)).status, 401, 'the pair it had issued died with the family');
  } finally {
    await brief.close();
  }
});

test('a refresh without a body, with junk, or with an unknown token is a 4xx, never a 500', async () => {
  const empty = await call('POST', '/api/v1/auth/refresh');
  assert.equal([empty.status, empty.body.code], [400, 'VALIDATION_FAILED']);
  assert.match(String(empty.body.detail), /body\.refreshToken/);
  assert.is((await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: 42 } })).status, 400);
  assert.is((await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: 'made-up' } })).status, 401);
});

test('logout revokes the login; someone else\'s refresh token is left alone', async () => {
  const fan = await signUpAndLogin();
  const other = await signUpAndLogin();
  assert.is((await call('POST', '/api/v1/auth/logout', { userId: other.id, body: { refreshToken: fan.tokens.refreshToken } })).status, 204);
  assert.is((await call('POST', '/api/v1/auth/logout', { userId: fan.id, body: { refreshToken: fan.tokens.refreshToken } })).status, 204);
  const after = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: fan.tokens.refreshToken } });
  assert.is(after.status, 401);
  assert.is((await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: other.tokens.refreshToken } })).status, 200);
  assert.is((await call('POST', '/api/v1/auth/logout', { body: { refreshToken: 'x' } })).status, 401, 'logout needs a caller');
});

test('the configured administrator exists from the start', async () => {
  const login = await call('POST', '/api/v1/auth/login', { body: ADMIN, ip: '10.5.0.1' });
  assert.is(login.status, 200);
  const sub = JSON.parse(Buffer.from((login.body.accessToken as string).split('.')[1]!, 'base64url').toString()).sub as string;
  const me = await call('GET', '/api/v1/users/me', { userId: sub });
  assert.equal([me.body.email, me.body.role], [ADMIN.email.toLowerCase(), 'ADMIN']);
});

test('create-admin promotes an existing account from the command line', async () => {
  const fan = await signUpAndLogin();
  const script = path.join(import.meta.dirname, '../src/create-admin.ts');
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=source', script], {
    env: { ...process.env, DATABASE_URL: db.url, ADMIN_EMAIL: fan.email, ADMIN_PASSWORD: 'ignored-for-existing', PASSWORD_HASH_COST: '10', LOG_LEVEL: 'silent' },
  });
  assert.match(stdout, /administrator/);
  assert.is((await call('GET', '/api/v1/users/me', { userId: fan.id })).body.role, 'ADMIN');
});

test('the internal lookup finds an account by e-mail in any case, for other services only', async () => {
  const fan = await signUpAndLogin();
  const found = await call('POST', '/internal/v1/users/lookup', { body: { email: ` ${fan.email.toUpperCase()} ` } });
  assert.equal([found.status, found.body], [200, { id: fan.id }]);
  const missing = await call('POST', '/internal/v1/users/lookup', { body: { email: `nobody.${keyPrefix}@example.test` } });
  assert.equal([missing.status, missing.body.code], [404, 'USER_NOT_FOUND']);
  const outsider = await call('POST', '/internal/v1/users/lookup', { internal: false, body: { email: fan.email } });
  assert.equal([outsider.status, outsider.body.code], [401, 'INTERNAL_ONLY']);
});

test('every route but the JWKS needs the gateway\'s internal token', async () => {
  const fan = await signUpAndLogin();
  for (const [method, route] of [['GET', '/api/v1/users/me'], ['POST', '/api/v1/auth/login'], ['POST', '/api/v1/users'], ['GET', '/api/v1/nothing']] as const) {
    const body = method === 'POST' ? { email: fan.email, password: fan.password, nickname: 'x' } : undefined;
    const res = await call(method, route, { internal: false, userId: fan.id, body });
    assert.equal([res.status, res.body.code], [401, 'INTERNAL_ONLY'], `${method} ${route}`);
  }
  assert.is((await call('GET', '/.well-known/jwks.json', { internal: false })).status, 200);
  const noCaller = await call('GET', '/api/v1/users/me');
  assert.equal([noCaller.status, noCaller.body.code], [401, 'UNAUTHORIZED']);
});

test.run();
