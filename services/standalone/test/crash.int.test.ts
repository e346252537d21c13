/**
 * Crashes of `npm start`. `kill -9` of the whole standalone (itself, every service process, Postgres and Redis at once)
 * after a payment succeeded and before booking confirmed the order: after a restart on the same
 * data, the order ends CONFIRMED or the payment REFUNDED, never paid and expired.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freePort } from '@ticketping/http';
import { eventually, entryBody, type ProofOfWorkChallenge } from '@ticketping/testing';
import { demoPerformance } from '../src/seed.ts';
import { SERVICE_NAMES } from '../src/config.ts';

const main = path.resolve(import.meta.dirname, '../src/main.ts');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'standalone-crash-'));
let port: number;
let running: { child: ChildProcess; output: () => string } | undefined;

async function start(): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--conditions=source', main], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info', SEED_DEMO: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await eventually(() => output.includes('Admin login') || child.exitCode !== null, 120_000, 100);
  assert.ok(output.includes('Admin login'), `standalone did not start:\n${output.slice(-3000)}`);
  running = { child, output: () => output };
  return running;
}

/** Every process of the platform: standalone, its children (services, Postgres, Redis), theirs. */
function tree(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  const children = existsSync(file) ? readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number) : [];
  return [pid, ...children.flatMap(tree)];
}

/** A zombie (exited, not yet reaped by whoever inherited it) counts as gone. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return stat !== '' && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

async function killEverything(pid: number): Promise<void> {
  const pids = tree(pid);
  for (const p of pids) process.kill(p, 'SIGKILL');
  await eventually(() => pids.every((p) => !alive(p)), 10_000);
}

const base = () => `http://127.0.0.1:${port}/api/v1`;
async function api(method: string, route: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${base()}${route}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** The documented entry: a proof-of-work challenge, solved, sent with the entry. */
async function enter(performanceId: string, token: string) {
  const challenge = await api('POST', `/queues/${performanceId}/challenge`, { token, body: {} });
  if (challenge.status !== 200) return challenge;
  return api('POST', `/queues/${performanceId}/entries`, { token, body: entryBody(challenge.body as unknown as ProofOfWorkChallenge) });
}

test.before(async () => {
  port = await freePort();
});

test.after(async () => {
  if (running && running.child.exitCode === null) await killEverything(running.child.pid!);
  rmSync(dataDir, { recursive: true, force: true });
});

test('kill -9 of everything between payment and confirmation: after a restart the order is CONFIRMED or the payment REFUNDED', async () => {
  const first = await start();
  const admin = /Admin login\s+(\S+@\S+) \/ (\S+)/.exec(first.output())!;
  const adminToken = (await api('POST', '/auth/login', { body: { email: admin[1], password: admin[2] } })).body.accessToken as string;
  const created = await api('POST', '/performances', { token: adminToken, body: { ...demoPerformance(), queue: { capacity: 5, admitPerMinute: 600 } } });
  assert.is(created.status, 201, JSON.stringify(created.body));
  const performanceId = created.body.id as string;
  const scheduleId = (created.body.schedules as Array<{ id: string }>)[0]!.id;

  const email = `crash-${randomUUID().slice(0, 8)}@fans.test`;
  assert.is((await api('POST', '/users', { body: { email, password: 'correct horse battery', nickname: 'crash' } })).status, 201);
  const token = (await api('POST', '/auth/login', { body: { email, password: 'correct horse battery' } })).body.accessToken as string;
  await eventually(async () => (await enter(performanceId, token)).status === 200, 20_000, 200);
  const queueToken = (await eventually(async () => {
    const entry = await api('GET', `/queues/${performanceId}/entries/me`, { token });
    return entry.body.status === 'ADMITTED' ? entry.body : undefined;
  }, 20_000, 200)).queueToken as string;
  const seats = await api('GET', `/schedules/${scheduleId}/seats`);
  const seatIds = (seats.body.items as Array<{ id: string }>).slice(0, 2).map((s) => s.id);
  const order = await eventually(async () => {
    const held = await api('POST', '/orders', { token, body: { scheduleId, seatIds }, headers: { 'x-queue-token': queueToken, 'idempotency-key': randomUUID() } });
    return held.status === 201 ? held.body : undefined;
  }, 20_000, 200);

  // Booking published the hold (the seat map shows it), so payment has its copy of the order.
  await eventually(async () => {
    const map = await api('GET', `/schedules/${scheduleId}/seats`);
    return (map.body.items as Array<{ id: string; status: string }>).filter((s) => seatIds.includes(s.id)).every((s) => s.status === 'HELD');
  }, 20_000, 200);
  // Then booking stops taking events (as if it were slow to get to them): the payment's success
  // reaches the bus but not the order.
  const bookingPid = Number(/"supervised":"booking","port":\d+,"pid":(\d+)/.exec(first.output())?.[1]);
  assert.ok(bookingPid > 0, 'booking process found in the log');
  process.kill(bookingPid, 'SIGSTOP');
  const payKey = randomUUID();
  const payment = await eventually(async () => {
    const paid = await api('POST', '/payments', { token, body: { orderId: order.id, method: { type: 'card', cardNumber: '4242424242424242' } }, headers: { 'idempotency-key': payKey } });
    return paid.status === 201 ? paid.body : undefined;
  }, 20_000, 200);
  await eventually(async () => (await api('GET', `/payments/${payment.id as string}`, { token })).body.status === 'SUCCEEDED', 20_000, 200);
  assert.is((await api('GET', `/orders/${order.id as string}`, { token, headers: {} }).catch(() => ({ body: { status: 'no answer' } }))).body.status !== 'CONFIRMED', true, 'not confirmed before the crash');

  await killEverything(first.child.pid!);
  running = undefined;

  const second = await start();
  const settled = await eventually(async () => {
    const [orderNow, paymentNow] = await Promise.all([api('GET', `/orders/${order.id as string}`, { token }), api('GET', `/payments/${payment.id as string}`, { token })]);
    return orderNow.body.status === 'CONFIRMED' || paymentNow.body.status === 'REFUNDED' ? { order: orderNow.body.status, payment: paymentNow.body.status } : undefined;
  }, 60_000, 250);
  assert.ok(settled.order === 'CONFIRMED' || settled.payment === 'REFUNDED', JSON.stringify(settled));
  if (settled.order === 'CONFIRMED') assert.is(settled.payment, 'SUCCEEDED', 'a confirmed order keeps its payment');

  // One service killed alone: standalone restarts it on its port and the gateway reaches it again.
  const authPid = Number(/"supervised":"auth","port":\d+,"pid":(\d+)/.exec(second.output())?.[1]);
  assert.ok(authPid > 0, 'auth process found in the log');
  process.kill(authPid, 'SIGKILL');
  await eventually(() => second.output().includes('service process exited; restarting it'), 10_000);
  const login = await eventually(async () => {
    const reply = await api('POST', '/auth/login', { body: { email, password: 'correct horse battery' } });
    return reply.status === 200 ? reply : undefined;
  }, 60_000, 250);
  assert.ok(login.body.accessToken);

  second.child.kill('SIGINT');
  await new Promise((resolve) => second.child.once('exit', resolve));
  running = undefined;
  assert.is(second.child.exitCode, 0, 'Ctrl-C after the recovery stops everything cleanly');
});

test('standalone alone killed with -9: its services stop by themselves, the next start stops the Postgres and Redis it left and comes up', async () => {
  const first = await start();
  const file = `/proc/${first.child.pid!}/task/${first.child.pid!}/children`;
  const children = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
  const comm = (pid: number) => (existsSync(`/proc/${pid}/comm`) ? readFileSync(`/proc/${pid}/comm`, 'utf8').trim() : '');
  const services = children.filter((pid) => comm(pid).startsWith('tp-'));
  const servers = children.filter((pid) => ['postgres', 'redis-server'].includes(comm(pid)));
  assert.is(services.length, SERVICE_NAMES.length, 'one process per service');
  assert.is(servers.length, 2, 'Postgres and Redis');
  process.kill(first.child.pid!, 'SIGKILL');
  running = undefined;
  await eventually(() => services.every((pid) => !alive(pid)), 30_000, 100);

  const second = await start();
  assert.match(second.output(), 'stopping the Postgres a previous standalone left running');
  assert.match(second.output(), 'stopping the redis-server a previous standalone left running');
  assert.ok(servers.every((pid) => !alive(pid)), 'the leftovers are gone');
  assert.is((await api('GET', '/performances')).status, 200);
  second.child.kill('SIGINT');
  await new Promise((resolve) => second.child.once('exit', resolve));
  running = undefined;
  assert.is(second.child.exitCode, 0);
});

test.run();
