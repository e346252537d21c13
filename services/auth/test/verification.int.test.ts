/**
 * E-mail verification against a real SMTP server (the test environment's Mailpit): the mail a
 * fan gets at sign-up, the link that confirms the address, the `ev` claim of the tokens issued
 * after it, resends with their limits, and the outbox that keeps a mail through an SMTP outage.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeJwt } from 'jose';
import { createTestDatabase, type TestDatabase } from '@ticketping/db/testing';
import { freePort } from '@ticketping/http/free-port';
import { createRedis } from '@ticketping/redis';
import { eventually, expectContractAt, randomPrefix, testEnv, waitForMail } from '@ticketping/testing';
import { MIGRATIONS_DIRECTORY, SCHEMA } from '../src/migrate.ts';
import { createVerificationsRepo } from '../src/verification/verifications.repo.ts';
import { INTERNAL_TOKEN, startAuth, type AuthUnderTest } from './harness.ts';

const ADMIN = { email: `boss.${randomPrefix('v')}@example.test`, password: 'admin-password-1' };
const keyPrefix = randomPrefix('auth-verify');
const redis = createRedis({ url: testEnv.redisUrl });
let db: TestDatabase;
let auth: AuthUnderTest;

const settings = {
  PASSWORD_HASH_COST: '10',
  REDIS_KEY_PREFIX: keyPrefix,
  SMTP_URL: testEnv.smtpUrl,
  MAIL_POLL_INTERVAL_MS: '50',
  PUBLIC_URL: 'https://tickets.example.test',
  EMAIL_VERIFY_RESEND_SECONDS: '1',
  EMAIL_VERIFY_MAX_PER_DAY: '3',
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
};

test.before(async () => {
  db = await createTestDatabase(testEnv.postgresUrl, [{ directory: MIGRATIONS_DIRECTORY, schema: SCHEMA }]);
  auth = await startAuth({ db, redis }, settings);
});

test.after(async () => {
  await auth?.close();
  await db?.drop();
  const keys = await redis.keys(`${keyPrefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

async function call(method: string, route: string, options: { body?: unknown; userId?: string; role?: string; base?: string } = {}) {
  const headers: Record<string, string> = { 'x-internal-token': INTERNAL_TOKEN };
  if (options.userId) headers['x-user-id'] = options.userId;
  if (options.role) headers['x-user-role'] = options.role;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${options.base ?? auth.base}${route}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  const body = (text ? JSON.parse(text) : undefined) as Record<string, unknown>;
  expectContractAt(method, route, res.status, body);
  return { status: res.status, headers: res.headers, body };
}

let counter = 0;
const newEmail = () => `fan${++counter}.${keyPrefix}@example.test`;
const PASSWORD = 'fan-password-1';

async function signUp(email = newEmail(), base?: string) {
  const created = await call('POST', '/api/v1/users', { body: { email, password: PASSWORD, nickname: 'Fan' }, ...(base ? { base } : {}) });
  assert.is(created.status, 201);
  return { id: created.body.id as string, email };
}

const login = async (email: string) => (await call('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } })).body as { accessToken: string; refreshToken: string };
/** The code as the mail gives it: the link's token, also printed for pasting. */
const tokenIn = (text: string) => /#\/verify\?token=([\w-]+)/.exec(text)?.[1];

test('sign-up mails a link; following it confirms the address, and tokens issued afterwards say so', async () => {
  const fan = await signUp();
  const mail = await waitForMail({ to: fan.email, subject: 'Confirm your e-mail address' });
  assert.ok(mail.Text.includes('https://tickets.example.test/#/verify?token='), mail.Text);
  assert.ok(mail.HTML.includes('href="https://tickets.example.test/#/verify?token='), mail.HTML);
  const token = tokenIn(mail.Text)!;
  assert.ok(mail.Text.includes(`paste this code on the verification page: ${token}`), 'the code is there to paste too');

  const before = await login(fan.email);
  assert.is(decodeJwt(before.accessToken).ev, undefined);
  assert.is((await call('GET', '/api/v1/users/me', { userId: fan.id })).body.emailVerified, false);

  const verified = await call('POST', '/api/v1/users/verification', { body: { token } });
  assert.equal([verified.status, verified.body], [200, { id: fan.id, email: fan.email, emailVerified: true }]);
  assert.is((await call('GET', '/api/v1/users/me', { userId: fan.id })).body.emailVerified, true);
  // a fan who clicks twice is told the same
  assert.is((await call('POST', '/api/v1/users/verification', { body: { token } })).status, 200);

  assert.is(decodeJwt((await login(fan.email)).accessToken).ev, true);
  // a login from before the click picks the flag up on its next refresh
  const refreshed = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: before.refreshToken } });
  assert.is(decodeJwt(refreshed.body.accessToken as string).ev, true);
  // the token left the database once the mail went out; only its hash is kept
  const row = await db.knex('email_verifications').where({ user_id: fan.id }).first();
  assert.equal([row.token, typeof row.token_hash, row.sent_at instanceof Date], [null, 'string', true]);
});

test('a made-up or mistyped code is 400 VERIFICATION_INVALID and confirms nothing', async () => {
  const fan = await signUp();
  const mail = await waitForMail({ to: fan.email });
  const token = tokenIn(mail.Text)!;
  const wrong = await call('POST', '/api/v1/users/verification', { body: { token: `${token.slice(0, -2)}xx` } });
  assert.equal([wrong.status, wrong.body.code], [400, 'VERIFICATION_INVALID']);
  const malformed = await call('POST', '/api/v1/users/verification', { body: { token: 'short' } });
  assert.equal([malformed.status, malformed.body.code], [400, 'VALIDATION_FAILED']);
  assert.is((await call('GET', '/api/v1/users/me', { userId: fan.id })).body.emailVerified, false);
});

test('resending: at most one mail a second here (429 with Retry-After), three a day, none once confirmed; every mailed link works', async () => {
  const fan = await signUp();
  await waitForMail({ to: fan.email });
  const soon = await call('POST', '/api/v1/users/me/verification-mail', { userId: fan.id });
  assert.equal([soon.status, soon.body.code, soon.headers.get('retry-after')], [429, 'VERIFICATION_MAIL_LIMITED', '1']);
  // the resend window is a second: the next one goes through once it has passed
  const second = await eventually(async () => ((await call('POST', '/api/v1/users/me/verification-mail', { userId: fan.id })).status === 202 ? true : undefined), 10_000, 250);
  assert.ok(second);
  await eventually(async () => ((await call('POST', '/api/v1/users/me/verification-mail', { userId: fan.id })).status === 202 ? true : undefined), 10_000, 250);
  const daily = await eventually(async () => {
    const reply = await call('POST', '/api/v1/users/me/verification-mail', { userId: fan.id });
    return reply.status === 429 && reply.body.detail === 'At most 3 verification mails a day' ? reply : undefined;
  }, 10_000, 250);
  assert.ok(Number(daily.headers.get('retry-after')) > 86_000, 'a day from the first mail');

  const tokens = await eventually(async () => {
    const res = await fetch(`${testEnv.mailpitUrl}/api/v1/search?query=${encodeURIComponent(`to:"${fan.email}"`)}`);
    const { messages } = (await res.json()) as { messages: Array<{ ID: string }> };
    return messages.length === 3 ? messages : undefined;
  });
  const texts = await Promise.all(tokens.map(async (m) => ((await (await fetch(`${testEnv.mailpitUrl}/api/v1/message/${m.ID}`)).json()) as { Text: string }).Text));
  const codes = new Set(texts.map(tokenIn));
  assert.is(codes.size, 3, 'each mail has a code of its own');
  assert.is((await call('POST', '/api/v1/users/verification', { body: { token: [...codes][0] } })).status, 200);
  assert.is((await call('POST', '/api/v1/users/me/verification-mail', { userId: fan.id })).status, 204);
});

test('an administrator can confirm an address (support, load tests); a fan cannot', async () => {
  const fan = await signUp();
  const other = await signUp();
  const byFan = await call('POST', `/api/v1/users/${fan.id}/verification`, { userId: other.id, role: 'USER' });
  assert.equal([byFan.status, byFan.body.code], [403, 'ADMIN_ONLY']);
  const adminId = (await db.knex('users').where({ email: ADMIN.email }).first()).id as string;
  const done = await call('POST', `/api/v1/users/${fan.id}/verification`, { userId: adminId, role: 'ADMIN' });
  assert.equal([done.status, done.body.emailVerified], [200, true]);
  assert.is(decodeJwt((await login(fan.email)).accessToken).ev, true);
});

test('a mail the SMTP server could not take waits in the outbox and goes out once, after a restart with a working server', async () => {
  // a database of its own: the suite's running replica must not send this mail first
  const own = await createTestDatabase(testEnv.postgresUrl, [{ directory: MIGRATIONS_DIRECTORY, schema: SCHEMA }]);
  const { ADMIN_EMAIL: _e, ADMIN_PASSWORD: _p, ...plain } = settings;
  const broken = await startAuth({ db: own, redis }, { ...plain, SMTP_URL: `smtp://127.0.0.1:${await freePort()}` });
  let restarted: AuthUnderTest | undefined;
  let stopped = false;
  try {
    const fan = await signUp(newEmail(), broken.base);
    const row = await eventually(async () => {
      const r = await own.knex('email_verifications').where({ user_id: fan.id }).first();
      return r.attempts > 0 ? r : undefined;
    });
    assert.equal([row.sent_at, row.failed_at, typeof row.token], [null, null, 'string']);
    assert.match(row.last_error as string, /unreachable/);
    await broken.close();
    stopped = true;
    restarted = await startAuth({ db: own, redis }, plain);
    const mail = await waitForMail({ to: fan.email }, { timeoutMs: 20_000 });
    assert.ok(tokenIn(mail.Text));
    assert.ok((await own.knex('email_verifications').where({ user_id: fan.id }).first()).sent_at instanceof Date);
    const res = await fetch(`${testEnv.mailpitUrl}/api/v1/search?query=${encodeURIComponent(`to:"${fan.email}"`)}`);
    assert.is(((await res.json()) as { messages: unknown[] }).messages.length, 1, 'sent once');
  } finally {
    if (!stopped) await broken.close();
    await restarted?.close();
    await own.drop();
  }
});

test('rows a day past their expiry are purged; newer ones, expired or not, stay', async () => {
  const fan = await signUp();
  await waitForMail({ to: fan.email });
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);
  await db.knex('email_verifications').where({ user_id: fan.id }).update({ expires_at: hoursAgo(25) });
  const other = await signUp();
  await waitForMail({ to: other.email });
  await db.knex('email_verifications').where({ user_id: other.id }).update({ expires_at: hoursAgo(1) });
  await createVerificationsRepo(db.knex).purgeExpired(86_400);
  assert.is((await db.knex('email_verifications').where({ user_id: fan.id })).length, 0);
  assert.is((await db.knex('email_verifications').where({ user_id: other.id })).length, 1);
});

test.run();
