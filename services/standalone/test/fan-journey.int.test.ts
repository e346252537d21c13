import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { entryBody, eventually, type ProofOfWorkChallenge } from '@ticketping/testing';
import { startStandalone, type Standalone } from '../src/standalone.ts';
import { demoPerformance } from '../src/seed.ts';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'journey-'));
let platform: Standalone;

interface Reply { status: number; body: Record<string, unknown> }

async function api(method: string, route: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  const res = await fetch(`${platform.url}/api/v1${route}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** The documented entry: a proof-of-work challenge, solved, sent with the entry. */
async function enter(performanceId: string, token: string) {
  const challenge = await api('POST', `/queues/${performanceId}/challenge`, { token, body: {} });
  if (challenge.status !== 200) return challenge;
  return api('POST', `/queues/${performanceId}/entries`, { token, body: entryBody(challenge.body as unknown as ProofOfWorkChallenge) });
}

async function signUpAndLogIn(name: string): Promise<{ token: string; email: string }> {
  const email = `${name}-${randomUUID().slice(0, 8)}@fans.test`;
  const created = await api('POST', '/users', { body: { email, password: 'correct horse battery', nickname: name } });
  assert.is(created.status, 201, JSON.stringify(created.body));
  const login = await api('POST', '/auth/login', { body: { email, password: 'correct horse battery' } });
  assert.is(login.status, 200);
  return { token: login.body.accessToken as string, email };
}

interface MailboxMessage { id: string; to: string[]; subject: string }

test.before(async () => {
  platform = await startStandalone({ port: 0, dataDir, seedDemo: false, logLevel: 'warn' });
});

test.after(async () => {
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a fan signs up, waits, is admitted, holds seats, pays; the order confirms, the tickets reach the local mailbox, and the slot goes to the next fan', async () => {
  const admin = await api('POST', '/auth/login', { body: { email: platform.adminEmail, password: platform.adminPassword } });
  const adminToken = admin.body.accessToken as string;
  // One admission slot at a time, so the second fan must wait for the first to finish.
  const created = await api('POST', '/performances', { token: adminToken, body: { ...demoPerformance(), queue: { capacity: 1, admitPerMinute: 600 } } });
  assert.is(created.status, 201, JSON.stringify(created.body));
  const performanceId = created.body.id as string;
  const scheduleId = (created.body.schedules as Array<{ id: string }>)[0]!.id;

  const { token: alice, email: aliceEmail } = await signUpAndLogIn('alice');
  const { token: bob } = await signUpAndLogIn('bob');
  const me = await api('GET', '/users/me', { token: alice });
  assert.equal([me.body.nickname, me.body.role], ['alice', 'USER']);

  // The queue learns of the performance from catalog's event; enter once it exists.
  const first = await eventually(async () => {
    const entry = await enter(performanceId, alice);
    return entry.status === 200 ? entry : undefined;
  }, 10_000, 100);
  assert.ok(['WAITING', 'ADMITTED'].includes(first.body.status as string));
  const again = await enter(performanceId, alice);
  assert.is(again.status, 200, 'entering twice returns the same entry');
  assert.is(again.body.position, first.body.position);

  const aliceAdmitted = await eventually(async () => {
    const entry = await api('GET', `/queues/${performanceId}/entries/me`, { token: alice });
    return entry.body.status === 'ADMITTED' ? entry.body : undefined;
  }, 10_000, 100);
  const queueToken = aliceAdmitted.queueToken as string;
  assert.ok(queueToken);

  const bobEntry = await enter(performanceId, bob);
  assert.is(bobEntry.status, 200);
  await new Promise((r) => setTimeout(r, 1500)); // a few admission ticks: the single slot is Alice's
  const bobWaiting = await api('GET', `/queues/${performanceId}/entries/me`, { token: bob });
  assert.equal([bobWaiting.body.status, bobWaiting.body.position, bobWaiting.body.ahead], ['WAITING', 1, 0]);

  const seats = await api('GET', `/schedules/${scheduleId}/seats`);
  const chosen = (seats.body.items as Array<{ id: string; status: string }>).filter((s) => s.status === 'AVAILABLE').slice(0, 2).map((s) => s.id);
  const noToken = await api('POST', '/orders', { token: alice, body: { scheduleId, seatIds: chosen } });
  assert.is(noToken.status, 403);
  assert.is(noToken.body.code, 'QUEUE_TOKEN_REQUIRED');
  const order = await eventually(async () => {
    const held = await api('POST', '/orders', { token: alice, body: { scheduleId, seatIds: chosen }, headers: { 'x-queue-token': queueToken, 'idempotency-key': randomUUID() } });
    return held.status === 201 ? held.body : undefined; // booking learns of the seats from catalog's event
  }, 10_000, 100);
  assert.is(order.status, 'PENDING_PAYMENT');
  await eventually(async () => {
    const map = await api('GET', `/schedules/${scheduleId}/seats`);
    return (map.body.items as Array<{ id: string; status: string }>).filter((s) => chosen.includes(s.id)).every((s) => s.status === 'HELD');
  }, 5_000, 100);

  const payment = await eventually(async () => {
    const paid = await api('POST', '/payments', { token: alice, body: { orderId: order.id, method: { type: 'card', cardNumber: '4242424242424242' } }, headers: { 'idempotency-key': randomUUID() } });
    return paid.status === 201 ? paid.body : undefined;
  }, 10_000, 200);
  assert.is(payment.amount, order.amount, 'the amount comes from the order');

  const confirmed = await eventually(async () => {
    const current = await api('GET', `/orders/${order.id as string}`, { token: alice });
    return current.body.status === 'CONFIRMED' ? current.body : undefined;
  }, 5_000, 100);
  assert.is(confirmed.id, order.id);
  const mine = await api('GET', '/orders', { token: alice });
  assert.ok((mine.body.items as Array<{ id: string }>).some((o) => o.id === order.id));
  const notBobs = await api('GET', `/orders/${order.id as string}`, { token: bob });
  assert.is(notBobs.status, 404, 'another fan cannot read the order');

  // Her tickets are e-mailed to the local mailbox the banner points to, linking to the pages she uses.
  const mailbox = platform.mailUrl;
  const [summary] = await eventually(async () => {
    const { messages } = (await (await fetch(`${mailbox}api/messages`)).json()) as { messages: MailboxMessage[] };
    // her address's confirmation mail came first; the tickets are the mail that says so
    const hers = messages.filter((m) => m.to.includes(aliceEmail) && /^Your tickets for /.test(m.subject));
    return hers.length ? hers : undefined;
  }, 30_000, 200);
  assert.match(summary!.subject, /^Your tickets for /);
  const mail = (await (await fetch(`${mailbox}api/messages/${summary!.id}`)).json()) as { text: string; attachments: { contentType: string }[] };
  assert.match(mail.text, `${new URL(platform.url).port}/#/tickets`);
  assert.equal(mail.attachments.map((a) => a.contentType), ['image/png', 'image/png'], 'a QR code per seat');
  const page = await fetch(`${mailbox}messages/${summary!.id}`);
  assert.is(page.status, 200);
  assert.match(await page.text(), /Your tickets for /);

  // The confirmed order frees Alice's slot at once, so Bob is admitted without waiting out her window.
  const bobAdmitted = await eventually(async () => {
    const entry = await api('GET', `/queues/${performanceId}/entries/me`, { token: bob });
    return entry.body.status === 'ADMITTED' ? entry.body : undefined;
  }, 10_000, 100);
  assert.ok(bobAdmitted.queueToken);
  await eventually(async () => {
    const map = await api('GET', `/schedules/${scheduleId}/seats`);
    return (map.body.items as Array<{ id: string; status: string }>).filter((s) => chosen.includes(s.id)).every((s) => s.status === 'SOLD');
  }, 5_000, 100);
});

test.run();
