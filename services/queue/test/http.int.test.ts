import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createVerifier } from '@ticketping/auth-tokens';
import { listen, type RunningServer } from '@ticketping/http';
import type { RedisClient } from '@ticketping/redis';
import { entryBody, eventually, expectContractAt, testEnv, type ProofOfWorkChallenge } from '@ticketping/testing';
import { scripts } from '../src/redis/lua/index.generated.ts';
import type { QueueService } from '../src/service.ts';
import { INTERNAL_TOKEN, startQueue, type QueueHarness } from './helpers.ts';

let harness: QueueHarness;
let redis: RedisClient;
let queue: QueueService;
let managementServer: RunningServer;
let base = '';
const queues: string[] = [];
const admin = randomUUID();

test.before(async () => {
  harness = await startQueue(queues);
  ({ redis, queue, base } = harness);
  managementServer = await listen(queue.app.management, 0);
});

test.after(async () => {
  await managementServer.close();
  await harness.close();
});

type Body = Record<string, unknown>;
const shaOf = (name: string) => createHash('sha1').update(scripts.find((script) => script.name === name)!.lua).digest('hex');
async function call(method: string, path: string, options: { user?: string; role?: 'ADMIN'; body?: unknown; internal?: boolean } = {}) {
  // entering solves the proof-of-work first, as every client does (proof-of-work.int.test.ts tests it)
  if (method === 'POST' && path.endsWith('/entries') && options.user && options.internal !== false && options.body === undefined) {
    const challenge = await call('POST', path.replace(/entries$/, 'challenge'), { user: options.user });
    if (challenge.status === 200) options = { ...options, body: entryBody(challenge.body as unknown as ProofOfWorkChallenge) };
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.internal !== false) headers['x-internal-token'] = INTERNAL_TOKEN;
  if (options.user) headers['x-user-id'] = options.user;
  if (options.role) headers['x-user-role'] = options.role;
  const res = await fetch(`${base}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
  const text = await res.text();
  const body = (text ? JSON.parse(text) : {}) as Body;
  // INTERNAL_ONLY is what a caller that skipped the gateway gets: never a fan, so not in the public contract
  if (body.code !== 'INTERNAL_ONLY') expectContractAt(method, path, res.status, text ? body : '');
  return { status: res.status, headers: res.headers, body };
}

async function newQueue(body: Body = { capacity: 1, admitPerMinute: 600 }): Promise<string> {
  const id = randomUUID();
  queues.push(id);
  const created = await call('PUT', `/internal/v1/queues/${id}`, { body });
  assert.is(created.status, 201);
  return id;
}

test('every queue route needs the gateway credential; entries need a caller', async () => {
  const id = await newQueue();
  assert.is((await call('POST', `/api/v1/queues/${id}/entries`, { user: randomUUID(), internal: false })).status, 401);
  const anonymous = await call('POST', `/api/v1/queues/${id}/entries`);
  assert.equal([anonymous.status, anonymous.body.code], [401, 'UNAUTHORIZED']);
  assert.is((await call('GET', '/.well-known/jwks.json', { internal: false })).status, 200, 'public keys are public');
});

test('bad input is a 4xx problem naming the field', async () => {
  const badId = await call('GET', '/api/v1/queues/not-a-uuid/entries/me', { user: 'u' });
  assert.is(badId.status, 400);
  assert.match(String(badId.body.detail), /params\.performanceId/);
  const id = await newQueue();
  const badPatch = await call('PATCH', `/api/v1/queues/${id}`, { user: admin, role: 'ADMIN', body: { capacity: 0, state: 'SLEEPING' } });
  assert.is(badPatch.status, 400);
  assert.match(String(badPatch.body.detail), /body\.capacity/);
  assert.match(String(badPatch.body.detail), /body\.state/);
  const unknownField = await call('PATCH', `/api/v1/queues/${id}`, { user: admin, role: 'ADMIN', body: { speed: 3 } });
  assert.is(unknownField.status, 400);
  assert.is((await call('PATCH', `/api/v1/queues/${id}`, { user: admin, role: 'ADMIN', body: {} })).status, 400);
  const missing = await call('GET', `/api/v1/queues/${randomUUID()}`);
  assert.equal([missing.status, missing.body.code], [404, 'QUEUE_NOT_FOUND']);
});

test('enter, wait, get admitted with a token the JWKS verifies, leave and free the slot', async () => {
  const id = await newQueue();
  const [a, b] = [randomUUID(), randomUUID()];
  const first = await call('POST', `/api/v1/queues/${id}/entries`, { user: a });
  assert.is(first.status, 200);
  assert.equal([first.body.status, first.body.performanceId], ['ADMITTED', id]);
  const second = await call('POST', `/api/v1/queues/${id}/entries`, { user: b });
  assert.equal([second.body.status, second.body.position, second.body.ahead, second.body.queueToken, second.body.expiresAt], ['WAITING', 1, 0, null, null]);
  assert.ok(Number(second.body.etaSeconds) >= 1 && Number(second.body.pollAfterMs) > 0);

  const verifier = createVerifier('ticketping-queue', new URL(`${base}/.well-known/jwks.json`));
  const claims = await verifier.verify(String(first.body.queueToken), { audience: id, subject: a });
  assert.is(claims.exp, Math.floor(Date.parse(String(first.body.expiresAt)) / 1000), 'the token ends with the active window');
  assert.ok(claims.jti);
  const again = await call('GET', `/api/v1/queues/${id}/entries/me`, { user: a });
  assert.is(again.body.queueToken, first.body.queueToken, 'the same token until the window changes');

  assert.equal((await call('GET', `/api/v1/queues/${id}/entries/me`, { user: randomUUID() })).body.code, 'NOT_IN_QUEUE');
  assert.is((await call('DELETE', `/api/v1/queues/${id}/entries/me`, { user: a })).status, 204);
  assert.is((await call('GET', `/api/v1/queues/${id}/entries/me`, { user: b })).body.status, 'ADMITTED');
  const summary = await call('GET', `/api/v1/queues/${id}`);
  assert.equal([summary.body.waiting, summary.body.active, summary.body.capacity, summary.body.admitPerMinute, summary.body.state], [0, 1, 1, 600, 'OPEN']);
});

test('PATCH is for admins and changes the queue at runtime; closed and full queues answer as documented', async () => {
  const id = await newQueue({ capacity: 1, admitPerMinute: 600, totalSeats: 1 });
  const user = randomUUID();
  assert.equal((await call('PATCH', `/api/v1/queues/${id}`, { user, body: { state: 'PAUSED' } })).body.code, 'ADMIN_ONLY');
  const paused = await call('PATCH', `/api/v1/queues/${id}`, { user: admin, role: 'ADMIN', body: { state: 'PAUSED', admitPerMinute: 30 } });
  assert.equal([paused.status, paused.body.state, paused.body.admitPerMinute], [200, 'PAUSED', 30]);
  await call('POST', `/api/v1/queues/${id}/entries`, { user: randomUUID() });
  await call('POST', `/api/v1/queues/${id}/entries`, { user: randomUUID() });
  const full = await call('POST', `/api/v1/queues/${id}/entries`, { user: randomUUID() });
  assert.equal([full.status, full.body.code], [503, 'QUEUE_FULL']);
  assert.ok(Number(full.headers.get('retry-after')) >= 5);
  assert.is(full.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  await call('PATCH', `/api/v1/queues/${id}`, { user: admin, role: 'ADMIN', body: { state: 'CLOSED' } });
  const closed = await call('POST', `/api/v1/queues/${id}/entries`, { user: randomUUID() });
  assert.equal([closed.status, closed.body.code], [409, 'QUEUE_CLOSED']);
});

test('a status poll is exactly one Redis command, alone or in a batch, odds included (counted with MONITOR)', async () => {
  // the seats are known, so each poll carries the odds the admission tick left (no read of its own)
  const id = await newQueue({ capacity: 1, admitPerMinute: 600, totalSeats: 100, maxSeatsPerOrder: 4 });
  await call('PATCH', `/api/v1/queues/${id}`, { user: admin, role: 'ADMIN', body: { state: 'PAUSED' } });
  const user = randomUUID();
  await call('POST', `/api/v1/queues/${id}/entries`, { user });
  // the script is loaded by now, and a tick has left the odds' figures
  await eventually(async () => ((await call('GET', `/api/v1/queues/${id}/entries/me`, { user })).body as { odds: unknown }).odds !== null);
  await redis.client('SETNAME', 'queue-under-test');
  const address = /addr=(\S+)/.exec(String(await redis.client('INFO')))?.[1];
  // redis-cli's MONITOR, not ioredis': under a flood of other commands (the other suites share this
  // Redis) ioredis' monitor connection could take a MONITOR line for a reply and throw
  const seen: string[][] = [];
  const monitor = spawn('redis-cli', ['-u', testEnv.redisUrl, 'monitor'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let partial = '';
  monitor.stdout.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^\S+ \[\d+ (\S+)\] (.*)$/.exec(line.trim());
      if (match && match[1] === address) seen.push([...match[2]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!));
    }
  });
  // MONITOR lines arrive late and in bursts (redis-cli writes to a pipe), so the polls' commands are
  // the ones between two unique ECHO markers sent on the queue's own connection, not a time window
  const echoed = (marker: string) => (args: string[]) => args[0]?.toLowerCase() === 'echo' && args[1] === marker;
  const [start, end] = [`start-${randomUUID()}`, `end-${randomUUID()}`];
  await eventually(async () => { await redis.echo(start); return seen.some(echoed(start)); });
  for (let i = 0; i < 20; i++) {
    const polled = (await call('GET', `/api/v1/queues/${id}/entries/me`, { user })).body as Body & { odds: { seatsLeft: number } | null };
    assert.equal([polled.position, polled.odds?.seatsLeft], [1, 100]);
  }
  // the gateway's batch of 20 polls: written to Redis together, still one command each
  const batch = await call('POST', '/internal/v1/status-polls', { body: { polls: Array.from({ length: 20 }, () => ({ performanceId: id, userId: user })) } });
  assert.equal((batch.body.answers as Array<{ body: Body }>).map((answer) => answer.body.position), Array.from({ length: 20 }, () => 1));
  await redis.echo(end);
  await eventually(() => seen.some(echoed(end)));
  monitor.kill();
  const between = seen.slice(seen.findLastIndex(echoed(start)) + 1, seen.findIndex(echoed(end)));
  // the admission loop shares the connection: its ticks (every 500 ms) are not polls' commands
  const tick = (args: string[]) => args[0]?.toLowerCase() === 'smembers' || (args[0]?.toLowerCase() === 'evalsha' && args[1] === shaOf('admit'));
  const commands = between.filter((args) => !tick(args)).map((args) => `${args[0]?.toLowerCase()} ${args[1]}`);
  assert.equal(commands, Array.from({ length: 40 }, () => `evalsha ${shaOf('entry')}`));
});

test('the figures are exported for Prometheus', async () => {
  const id = await newQueue();
  await call('POST', `/api/v1/queues/${id}/entries`, { user: randomUUID() });
  await call('POST', `/api/v1/queues/${id}/entries`, { user: randomUUID() });
  await queue.admission.tick(id);
  const text = await (await fetch(`http://127.0.0.1:${managementServer.port}/metrics`)).text();
  for (const name of ['waiting', 'active', 'capacity', 'admit_per_minute', 'admit_rate_per_minute', 'eta_seconds', 'admitted_total', 'expired_total', 'abandoned_total']) {
    assert.match(text, new RegExp(`ticketping_queue_${name}\\{[^}]*performance="${id}"`), name);
  }
  assert.match(text, new RegExp(`ticketping_queue_waiting\\{[^}]*performance="${id}"[^}]*\\} 1`));
});


test('status polls in one batch: each answer is what that fan\'s own poll answers, problems included', async () => {
  const id = await newQueue();
  const [first, second, stranger] = [randomUUID(), randomUUID(), randomUUID()];
  await call('POST', `/api/v1/queues/${id}/entries`, { user: first });
  await call('POST', `/api/v1/queues/${id}/entries`, { user: second });
  const polls = [
    { performanceId: id, userId: second },
    { performanceId: id, userId: stranger },
    { performanceId: 'not-a-uuid', userId: first },
    { performanceId: id, userId: first },
  ];
  const batch = await call('POST', '/internal/v1/status-polls', { body: { polls } });
  assert.is(batch.status, 200);
  const answers = batch.body.answers as Array<{ status: number; headers: Record<string, string>; body: Body }>;
  assert.is(answers.length, polls.length, 'one answer per poll, in order');
  for (const [i, poll] of polls.entries()) {
    const alone = await call('GET', `/api/v1/queues/${poll.performanceId}/entries/me`, { user: poll.userId });
    assert.is(answers[i]!.status, alone.status, `poll ${i}: the status its own request gets`);
    if (alone.status === 200) {
      assert.is(answers[i]!.headers['cache-control'], alone.headers.get('cache-control'));
      for (const field of ['performanceId', 'status', 'position', 'ahead', 'reason']) assert.equal(answers[i]!.body[field], alone.body[field], `poll ${i}: ${field}`);
    } else {
      for (const field of ['code', 'title', 'detail', 'type']) assert.equal(answers[i]!.body[field], alone.body[field], `poll ${i}: ${field}`);
    }
  }
  assert.equal([answers[0]!.body.status, answers[0]!.body.position], ['WAITING', 1]);
  assert.is(answers[1]!.body.code, 'NOT_IN_QUEUE');
  assert.match(String(answers[2]!.body.detail), /params\.performanceId/);
  assert.equal([answers[3]!.body.status, typeof answers[3]!.body.queueToken], ['ADMITTED', 'string']);

  assert.is((await call('POST', '/internal/v1/status-polls', { body: { polls }, internal: false })).status, 401, 'only the gateway may batch');
  const tooMany = await call('POST', '/internal/v1/status-polls', { body: { polls: Array.from({ length: 257 }, () => polls[0]) } });
  assert.equal([tooMany.status, tooMany.body.code], [400, 'VALIDATION_FAILED']);
  assert.match(String(tooMany.body.detail), /body\.polls/);
  const empty = await call('POST', '/internal/v1/status-polls', { body: { polls: [] } });
  assert.is(empty.status, 400);
  // a poll that names nobody is that poll's 401, not the whole batch's
  const anonymous = await call('POST', '/internal/v1/status-polls', { body: { polls: [{ performanceId: id, userId: '' }, polls[0]] } });
  const [nobody, someone] = anonymous.body.answers as Array<{ status: number; body: Body }>;
  assert.equal([anonymous.status, nobody!.status, nobody!.body.code, someone!.status], [200, 401, 'UNAUTHORIZED', 200]);
});

test.run();
