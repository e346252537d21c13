import { randomUUID } from 'node:crypto';
import { createChallenge } from 'altcha-lib/v1';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listen, type RunningServer } from '@ticketping/http';
import { createMetrics } from '@ticketping/metrics';
import { createRedis, type RedisClient } from '@ticketping/redis';
import { expectContractAt, solveProofOfWork, testEnv, type ProofOfWorkChallenge } from '@ticketping/testing';
import { derivedHmacKey } from '@ticketping/proof-of-work';
import { createProofOfWork } from '../src/proof-of-work/proof-of-work.service.ts';
import { createService, type QueueService } from '../src/service.ts';
import { INTERNAL_TOKEN, dropQueues, quietLogger, testConfig } from './helpers.ts';

// Small numbers so the suite proves the rules without asking the (shared, slow) machine for work:
// a base of 2,000 and one doubling per 3 attempts from a range.
const BASE = 2000;
const STEP = 3;
let redis: RedisClient;
let queue: QueueService;
let server: RunningServer;
let base = '';
const metrics = createMetrics('queue', { defaultMetrics: false });
const queues: string[] = [];
const admin = randomUUID();
// each test's addresses come from a range of its own, so one test's attempts do not raise another's difficulty
let rangeNumber = Math.floor(Math.random() * 200);
const freshRange = () => `10.${++rangeNumber}.${Math.floor(Math.random() * 250)}`;

test.before(async () => {
  redis = createRedis({ url: testEnv.redisUrl });
  const config = testConfig({ QUEUE_POW_MAX_NUMBER: String(BASE), QUEUE_POW_RANGE_STEP: String(STEP), QUEUE_POW_MAX_DOUBLINGS: '3', QUEUE_POW_RANGE_WINDOW_SECONDS: '3600' });
  queue = await createService({ config, logger: quietLogger(), metrics, redis });
  server = await listen(queue.app, 0);
  base = `http://127.0.0.1:${server.port}`;
});

test.after(async () => {
  await server.close();
  await dropQueues(redis, queues);
  await redis.quit();
});

type Body = Record<string, unknown>;
async function call(method: string, path: string, options: { user: string; role?: 'ADMIN'; body?: unknown; from?: string; emailVerified?: boolean }) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': options.user };
  if (options.role) headers['x-user-role'] = options.role;
  if (options.emailVerified) headers['x-user-email-verified'] = '1';
  // what the gateway sends: the client address it worked out
  headers['x-forwarded-for'] = options.from ?? `${freshRange()}.1`;
  const res = await fetch(`${base}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
  const text = await res.text();
  const body = (text ? JSON.parse(text) : {}) as Body;
  expectContractAt(method, path, res.status, text ? body : '');
  return { status: res.status, body };
}

async function newQueue(settings: { requireVerifiedEmail?: boolean } = {}): Promise<string> {
  const id = randomUUID();
  queues.push(id);
  await queue.store.create(id, { capacity: 100, admitPerMinute: 600, opensAtMs: 0, closesAtMs: 0, totalSeats: 0, ...settings });
  return id;
}

const challengeOf = async (id: string, user: string, from?: string) => {
  const got = await call('POST', `/api/v1/queues/${id}/challenge`, { user, ...(from ? { from } : {}) });
  assert.is(got.status, 200);
  return got.body as unknown as ProofOfWorkChallenge;
};
const enter = (id: string, user: string, body?: unknown) => call('POST', `/api/v1/queues/${id}/entries`, { user, body });

test('a solved challenge enters once; the same solution again is 409 PROOF_OF_WORK_REPLAYED; none at all is 403', async () => {
  const id = await newQueue();
  const user = randomUUID();
  const challenge = await challengeOf(id, user);
  assert.equal([challenge.required, challenge.maxnumber], [true, BASE]);
  assert.ok(Date.parse(challenge.expiresAt) > Date.now());

  const missing = await enter(id, user, {});
  assert.equal([missing.status, missing.body.code], [403, 'PROOF_OF_WORK_REQUIRED']);
  const solution = solveProofOfWork(challenge);
  const entered = await enter(id, user, { proofOfWork: solution });
  assert.equal([entered.status, entered.body.status], [200, 'ADMITTED']);
  const replayed = await enter(id, user, { proofOfWork: solution });
  assert.equal([replayed.status, replayed.body.code], [409, 'PROOF_OF_WORK_REPLAYED']);
  // replayed at once by many: still used once (SET NX)
  const other = randomUUID();
  const shared = solveProofOfWork(await challengeOf(id, other));
  const burst = await Promise.all(Array.from({ length: 10 }, () => enter(id, other, { proofOfWork: shared })));
  assert.is(burst.filter((r) => r.status === 200).length, 1);
  assert.ok(burst.every((r) => r.status === 200 || r.body.code === 'PROOF_OF_WORK_REPLAYED'));
  // on-call sees the refusals by kind
  const exported = await metrics.registry.metrics();
  for (const outcome of ['ACCEPTED', 'PROOF_OF_WORK_REQUIRED', 'PROOF_OF_WORK_REPLAYED']) {
    assert.match(exported, new RegExp(`ticketping_queue_proof_of_work_total\\{[^}]*outcome="${outcome}"[^}]*\\} [1-9]`));
  }
});

test('forged solutions are 403 PROOF_OF_WORK_INVALID: a wrong number, another account, another performance, another key, an edited salt', async () => {
  const [id, otherId] = [await newQueue(), await newQueue()];
  const [user, thief] = [randomUUID(), randomUUID()];
  const solution = solveProofOfWork(await challengeOf(id, user));
  const refusals = [
    await enter(id, user, { proofOfWork: { ...solution, number: solution.number + 1 } }),
    await enter(id, thief, { proofOfWork: solution }),
    await enter(otherId, user, { proofOfWork: solution }),
    await enter(id, user, { proofOfWork: { ...solution, salt: solution.salt.replace(`u=${user}`, `u=${thief}`) } }),
  ];
  // a challenge the attacker made up and signed with a key of its own, for the right account and performance
  const made = await createChallenge({ hmacKey: 'not-the-key', maxnumber: 10, expires: new Date(Date.now() + 60_000), params: { p: id, u: user } });
  refusals.push(await enter(id, user, { proofOfWork: solveProofOfWork({ ...made, algorithm: 'SHA-256', maxnumber: 10 }) }));
  for (const refusal of refusals) assert.equal([refusal.status, refusal.body.code], [403, 'PROOF_OF_WORK_INVALID'], JSON.stringify(refusal.body));
  const malformed = await enter(id, user, { proofOfWork: { ...solution, number: 'seven' } });
  assert.equal([malformed.status, malformed.body.code], [400, 'VALIDATION_FAILED']);
  // none of that spent the real solution
  assert.is((await enter(id, user, { proofOfWork: solution })).status, 200);
});

test('a challenge past its expiry is 403 PROOF_OF_WORK_EXPIRED', async () => {
  const id = await newQueue();
  const user = randomUUID();
  // issued by a replica with the same key 10 minutes ago (the TTL is 2 minutes)
  const earlier = createProofOfWork(redis, {
    hmacKey: derivedHmacKey(INTERNAL_TOKEN), defaultMaxNumber: BASE, ttlSeconds: 120, rangeStep: STEP, rangeWindowMs: 60_000, maxDoublings: 3,
  }, () => Date.now() - 600_000);
  const old = await earlier.challenge(id, user, '192.0.2.1');
  const expired = await enter(id, user, { proofOfWork: solveProofOfWork(old) });
  assert.equal([expired.status, expired.body.code], [403, 'PROOF_OF_WORK_EXPIRED']);
});

test('an admin PATCH changes the difficulty at once; 0 turns proof-of-work off; null goes back to the default', async () => {
  const id = await newQueue();
  const patch = (body: Body) => call('PATCH', `/api/v1/queues/${id}`, { user: admin, role: 'ADMIN', body });
  assert.is((await call('PATCH', `/api/v1/queues/${id}`, { user: randomUUID(), body: { proofOfWorkMaxNumber: 0 } })).body.code, 'ADMIN_ONLY');
  assert.is((await patch({ proofOfWorkMaxNumber: -1 })).status, 400);

  const harder = await patch({ proofOfWorkMaxNumber: 7000 });
  assert.equal([harder.status, harder.body.proofOfWorkMaxNumber], [200, 7000]);
  assert.is((await challengeOf(id, randomUUID())).maxnumber, 7000);

  const off = await patch({ proofOfWorkMaxNumber: 0 });
  assert.is(off.body.proofOfWorkMaxNumber, 0);
  const offChallenge = await challengeOf(id, randomUUID());
  assert.equal([offChallenge.required, offChallenge.maxnumber], [false, 1]);
  const without = await enter(id, randomUUID());
  assert.equal([without.status, without.body.status], [200, 'ADMITTED'], 'no proof needed when off');

  const back = await patch({ proofOfWorkMaxNumber: null });
  assert.is(back.body.proofOfWorkMaxNumber, BASE);
  assert.is((await enter(id, randomUUID(), {})).body.code, 'PROOF_OF_WORK_REQUIRED');
});

test('the difficulty doubles with the entry attempts from one /24 or /64, and only for that range', async () => {
  const id = await newQueue();
  const busy = freshRange();
  const seen: number[] = [];
  // different addresses of one /24: walking one's own block does not dodge it
  for (let i = 1; i <= STEP * 4 + 1; i++) seen.push((await challengeOf(id, randomUUID(), `${busy}.${i}`)).maxnumber);
  assert.equal(seen, [...Array(STEP).fill(BASE), ...Array(STEP).fill(BASE * 2), ...Array(STEP).fill(BASE * 4), ...Array(STEP + 1).fill(BASE * 8)], 'bounded at 2^3');
  assert.is((await challengeOf(id, randomUUID(), `${freshRange()}.9`)).maxnumber, BASE, 'another range is not affected');

  const v6 = `2001:db8:${(rangeNumber++).toString(16)}:1`;
  const v6Seen: number[] = [];
  for (let i = 1; i <= STEP + 1; i++) v6Seen.push((await challengeOf(id, randomUUID(), `${v6}::${i.toString(16)}`)).maxnumber);
  assert.equal(v6Seen, [...Array(STEP).fill(BASE), BASE * 2], 'IPv6 counts per /64');

  // the harder challenge still enters when solved
  const user = randomUUID();
  const hard = await challengeOf(id, user, `${busy}.200`);
  assert.is(hard.maxnumber, BASE * 8);
  assert.is((await enter(id, user, { proofOfWork: solveProofOfWork(hard) })).status, 200);
});

test('the range count is shared by replicas (one Redis)', async () => {
  const id = await newQueue();
  const replica = await createService({
    config: testConfig({ QUEUE_POW_MAX_NUMBER: String(BASE), QUEUE_POW_RANGE_STEP: String(STEP), QUEUE_POW_MAX_DOUBLINGS: '3', QUEUE_POW_RANGE_WINDOW_SECONDS: '3600' }),
    logger: quietLogger(), metrics: createMetrics('queue', { defaultMetrics: false }), redis,
  });
  const range = freshRange();
  for (let i = 1; i <= STEP; i++) await replica.proofOfWork.challenge(id, randomUUID(), `${range}.${i}`);
  assert.is((await challengeOf(id, randomUUID(), `${range}.77`)).maxnumber, BASE * 2);
});

test('a sale for confirmed addresses: an unconfirmed account gets 403 EMAIL_NOT_VERIFIED before any work, a confirmed one solves, enters once, and its proof is spent', async () => {
  const id = await newQueue({ requireVerifiedEmail: true });
  const unconfirmed = randomUUID();
  const refused = await call('POST', `/api/v1/queues/${id}/challenge`, { user: unconfirmed });
  assert.equal([refused.status, refused.body.code], [403, 'EMAIL_NOT_VERIFIED']);

  // a proof solved for a confirmed session of the same account (say, a token refreshed since)
  // still does not get an unconfirmed entry in: the entry script decides the address too
  const fan = randomUUID();
  const challenge = await call('POST', `/api/v1/queues/${id}/challenge`, { user: fan, emailVerified: true });
  assert.is(challenge.status, 200);
  const solution = solveProofOfWork(challenge.body as unknown as ProofOfWorkChallenge);
  const unconfirmedEntry = await call('POST', `/api/v1/queues/${id}/entries`, { user: fan, body: { proofOfWork: solution } });
  assert.equal([unconfirmedEntry.status, unconfirmedEntry.body.code], [403, 'EMAIL_NOT_VERIFIED']);
  assert.is((await queue.room.summary(id)).waiting + (await queue.room.summary(id)).active, 0, 'the refusal holds no place');

  const next = solveProofOfWork((await call('POST', `/api/v1/queues/${id}/challenge`, { user: fan, emailVerified: true })).body as unknown as ProofOfWorkChallenge);
  const entered = await call('POST', `/api/v1/queues/${id}/entries`, { user: fan, emailVerified: true, body: { proofOfWork: next } });
  assert.equal([entered.status, entered.body.status], [200, 'ADMITTED']);
  const replayed = await call('POST', `/api/v1/queues/${id}/entries`, { user: fan, emailVerified: true, body: { proofOfWork: next } });
  assert.equal([replayed.status, replayed.body.code], [409, 'PROOF_OF_WORK_REPLAYED']);
});

test('a presale code does not stand in for the proof: a code without one is 403 PROOF_OF_WORK_REQUIRED before any code is looked up', async () => {
  const id = await newQueue();
  const user = randomUUID();
  const codeOnly = await enter(id, user, { accessCode: 'PRESALE-1' });
  assert.equal([codeOnly.status, codeOnly.body.code], [403, 'PROOF_OF_WORK_REQUIRED']);
});

test.run();
