/**
 * Caps per client address and per address range on sign-ups and waiting-line entries, counted
 * across gateway replicas in Redis, per replica when Redis is down, and on the address express
 * trusts: an X-Forwarded-For from a peer that is not a trusted proxy changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { publicJwks } from '@ticketping/auth-tokens';
import { randomPrefix } from '@ticketping/testing';
import { accessToken, closedPort, makeKeys, problem, startGateway, startStandIn, type Echo, type Keys, type RunningGateway, type StandIn } from './helpers.ts';

let keys: Keys;
let standIns: StandIn[] = [];
let urls: Record<string, string>;
const gateways: RunningGateway[] = [];

const CAPS = { CAP_SIGNUPS_PER_IP: '3', CAP_SIGNUPS_PER_RANGE: '5', CAP_ENTRIES_PER_IP: '2', CAP_ENTRIES_PER_RANGE: '4' };

test.before(async () => {
  keys = await makeKeys();
  standIns = await Promise.all(['auth', 'queue', 'booking'].map((name) => startStandIn(name, name === 'auth' ? { jwks: [keys.auth] } : {})));
  const [auth, queue, booking] = standIns as [StandIn, StandIn, StandIn];
  urls = { AUTH_URL: auth.url, QUEUE_URL: queue.url, BOOKING_URL: booking.url, QUEUE_JWKS: JSON.stringify(publicJwks([keys.queue])) };
});

test.after(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await Promise.all(standIns.map((s) => s.server.close()));
});

async function gatewayWith(env: Record<string, string>, redisUrl?: string): Promise<RunningGateway> {
  const started = await startGateway({ ...urls, ...CAPS, ...env }, redisUrl);
  gateways.push(started);
  return started;
}

const signUp = (gateway: RunningGateway, from?: string) => fetch(`${gateway.base}/api/v1/users`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(from ? { 'x-forwarded-for': from } : {}) },
  body: JSON.stringify({ email: `${randomUUID()}@fans.test`, password: 'correct horse', nickname: 'fan' }),
});
const enter = async (gateway: RunningGateway, performanceId: string, from: string) => fetch(`${gateway.base}/api/v1/queues/${performanceId}/entries`, {
  method: 'POST', headers: { authorization: `Bearer ${await accessToken(keys.authSigner, randomUUID())}`, 'x-forwarded-for': from },
});
const statuses = async (replies: Array<Promise<Response>>) => (await Promise.all(replies)).map((r) => r.status);

test('sign-ups are capped per address and per /24: a script on one network is refused with 429, a fan elsewhere is not', async () => {
  const gateway = await gatewayWith({});
  assert.equal(await statuses([1, 2, 3].map(() => signUp(gateway, '203.0.113.10'))), [201, 201, 201]);
  const capped = await signUp(gateway, '203.0.113.10');
  assert.is(capped.status, 429);
  assert.is((await problem(capped)).code, 'SIGNUP_CAP_REACHED');
  assert.ok(Number(capped.headers.get('retry-after')) > 0);
  // the next address of the same /24 has its own per-address cap but shares the range's, where
  // the refused attempt counted too (4 of 5)
  assert.is((await signUp(gateway, '203.0.113.11')).status, 201);
  assert.is((await signUp(gateway, '203.0.113.12')).status, 429, 'the /24 has had its 5');
  assert.is((await signUp(gateway, '198.51.100.7')).status, 201, 'another network is not affected');
});

test('one address keeps trying long past both caps: every answer is a 429, the gateway stays up', async () => {
  // 20 per range is reported to Redis every 2nd request (refused at once in between), 3 per address on every request
  const gateway = await gatewayWith({ CAP_SIGNUPS_PER_IP: '3', CAP_SIGNUPS_PER_RANGE: '20' });
  const replies = [];
  for (let i = 0; i < 30; i++) replies.push((await signUp(gateway, '198.18.7.1')).status);
  assert.equal(replies, [201, 201, 201, ...Array.from({ length: 27 }, () => 429)]);
  assert.is((await fetch(`${gateway.management}/readyz`)).status, 200, 'the gateway is still up');
});

test('IPv6 clients are capped per /64', async () => {
  const gateway = await gatewayWith({});
  assert.equal(await statuses(['2001:db8:5:5::1', '2001:db8:5:5::2', '2001:db8:5:5::3', '2001:db8:5:5:ffff::4', '2001:db8:5:5::5'].map((a) => signUp(gateway, a))), [201, 201, 201, 201, 201]);
  assert.is((await signUp(gateway, '2001:db8:5:5::6')).status, 429);
  assert.is((await signUp(gateway, '2001:db8:5:6::1')).status, 201);
});

test('waiting-line entries are capped per address and range for each performance', async () => {
  const gateway = await gatewayWith({});
  const [show, other] = [randomUUID(), randomUUID()];
  assert.equal(await statuses([1, 2].map(() => enter(gateway, show, '192.0.2.20'))), [201, 201]);
  const capped = await enter(gateway, show, '192.0.2.20');
  assert.equal([capped.status, (await problem(capped)).code], [429, 'ENTRY_CAP_REACHED']);
  assert.is((await enter(gateway, other, '192.0.2.20')).status, 201, 'another performance has its own cap');
  assert.is((await enter(gateway, show, '192.0.2.21')).status, 201, 'the /24 counted 3 of 4 (the refused attempt too)');
  assert.is((await enter(gateway, show, '192.0.2.22')).status, 429, 'the /24 had its 4 for this performance');
});

test('waitlist joins are capped like entries, per address and range for each schedule', async () => {
  const gateway = await gatewayWith({});
  const join = async (scheduleId: string, from: string) => fetch(`${gateway.base}/api/v1/waitlist/${scheduleId}/entries`, {
    method: 'POST', headers: { authorization: `Bearer ${await accessToken(keys.authSigner, randomUUID())}`, 'x-forwarded-for': from },
  });
  const [date, other] = [randomUUID(), randomUUID()];
  assert.equal(await statuses([1, 2].map(() => join(date, '192.0.2.120'))), [201, 201]);
  const capped = await join(date, '192.0.2.120');
  assert.equal([capped.status, (await problem(capped)).code], [429, 'ENTRY_CAP_REACHED']);
  assert.is((await join(other, '192.0.2.120')).status, 201, 'another schedule has its own cap');
  assert.is((await join(date, '192.0.2.121')).status, 201, 'the /24 counted 3 of 4');
  assert.is((await join(date, '192.0.2.122')).status, 429, 'the /24 had its 4 for this schedule');
});

test('the caps are shared by the replicas (Redis), and each replica still caps on its own count when Redis is down', async () => {
  const keyPrefix = randomPrefix('gw-caps');
  const [a, b] = [await gatewayWith({ REDIS_KEY_PREFIX: keyPrefix }), await gatewayWith({ REDIS_KEY_PREFIX: keyPrefix })];
  assert.equal(await statuses([signUp(a, '203.0.113.77'), signUp(b, '203.0.113.77'), signUp(a, '203.0.113.77')]), [201, 201, 201]);
  assert.is((await signUp(b, '203.0.113.77')).status, 429, 'replica b counts what replica a let through');

  const deaf = await gatewayWith({ RATE_LIMIT_REDIS_TIMEOUT_MS: '200' }, `redis://127.0.0.1:${await closedPort()}`);
  assert.equal(await statuses([1, 2, 3].map(() => signUp(deaf, '203.0.113.88'))), [201, 201, 201]);
  assert.is((await signUp(deaf, '203.0.113.88')).status, 429);
});

test('an X-Forwarded-For from a peer that is not a trusted proxy is ignored: the peer is counted, and forwarded, as itself', async () => {
  const auth = standIns[0]!;
  // Nothing trusted: the test client on loopback is the client, whatever it claims.
  const gateway = await gatewayWith({ TRUST_PROXY: '10.255.255.1' });
  const spoofed = ['198.51.100.1', '198.51.100.2', '203.0.113.3'];
  assert.equal(await statuses(spoofed.map((address) => signUp(gateway, address))), [201, 201, 201]);
  const echo = (await (await signUp(gateway, '192.0.2.99')).json()) as Echo & { status?: number; code?: string };
  assert.is(echo.code, 'SIGNUP_CAP_REACHED', 'four sign-ups from loopback, however many addresses it claimed');
  assert.ok(auth.calls.slice(-3).every((call) => call.forwardedFor === '127.0.0.1'), 'auth was told the real peer');

  // Trusted (loopback is the proxy): the forwarded address is the client.
  const behindProxy = await gatewayWith({ TRUST_PROXY: 'loopback' });
  assert.equal(await statuses(['198.51.100.1', '198.51.100.1', '198.51.100.1', '198.51.100.1'].map((a) => signUp(behindProxy, a))), [201, 201, 201, 429]);
  assert.is(auth.calls.at(-1)!.forwardedFor, '198.51.100.1');
});

test.run();
