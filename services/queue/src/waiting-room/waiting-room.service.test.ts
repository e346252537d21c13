import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMemoryLine } from './memory-line.ts';
import { createWaitingRoom } from './waiting-room.service.ts';

const SHOW = 'perf-1';

/** A room over the in-memory line; the signer counts what it signs (a token is signed once per window). */
function room(settings: Parameters<ReturnType<typeof createMemoryLine>['open']>[1] = {}) {
  const line = createMemoryLine();
  line.open(SHOW, settings);
  const signed: string[] = [];
  const signer = {
    sign: async ({ subject }: { subject: string }) => {
      signed.push(subject);
      return { token: `token-${subject}-${signed.length}`, jti: String(signed.length), expiresAt: new Date() };
    },
  };
  return { line, signed, room: createWaitingRoom({ store: line, signer, admission: line }) };
}

/** The error the promise is refused with (the test fails if it is not refused). */
async function failure(promise: Promise<unknown>): Promise<{ code: string; status: number; retryAfterSeconds?: number }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; status: number; retryAfterSeconds?: number };
  }
  throw new Error('should have failed');
}

test('the first fan into an empty open line is admitted at once, with one token for the window', async () => {
  const { room: r, signed } = room();
  const entered = await r.enter(SHOW, 'ann');
  assert.is(entered.status, 'ADMITTED');
  assert.ok(entered.queueToken);
  assert.ok(entered.expiresAt);
  const polled = await r.status(SHOW, 'ann');
  assert.is(polled.queueToken, entered.queueToken, 'a poll returns the token already signed');
  assert.equal(signed, ['ann']);
});

test('the next fan waits with their place; when the admitted fan leaves, the slot goes to them now', async () => {
  const { room: r } = room({ capacity: 1 });
  await r.enter(SHOW, 'ann');
  const bob = await r.enter(SHOW, 'bob');
  assert.is(bob.status, 'WAITING');
  assert.is(bob.position, 1);
  assert.is(bob.ahead, 0);
  assert.is(bob.queueToken, null);
  await r.leave(SHOW, 'ann');
  assert.is((await r.status(SHOW, 'bob')).status, 'ADMITTED');
});

test('entering twice keeps the same place', async () => {
  const { room: r } = room({ capacity: 0 });
  await r.enter(SHOW, 'ann');
  await r.enter(SHOW, 'bob');
  assert.is((await r.enter(SHOW, 'ann')).position, 1);
  assert.is((await r.enter(SHOW, 'bob')).position, 2);
});

test('a paused line admits nobody until it is opened, then its head at once', async () => {
  const { room: r } = room({ state: 'PAUSED' });
  assert.is((await r.enter(SHOW, 'ann')).status, 'WAITING');
  const summary = await r.configure(SHOW, { state: 'OPEN' });
  assert.is(summary.state, 'OPEN');
  assert.is(summary.active, 1);
  assert.is((await r.status(SHOW, 'ann')).status, 'ADMITTED');
});

test('each refusal is the error a fan can act on', async () => {
  const { room: r, line } = room({ capacity: 0, maxLine: 1 });
  assert.is((await failure(r.enter('nowhere', 'ann'))).code, 'QUEUE_NOT_FOUND');
  assert.is((await failure(r.status(SHOW, 'ann'))).code, 'NOT_IN_QUEUE');
  await r.enter(SHOW, 'ann');
  const full = await failure(r.enter(SHOW, 'bob'));
  assert.is(full.code, 'QUEUE_FULL');
  assert.is(full.status, 503);
  await line.configure(SHOW, { state: 'SOLD_OUT' });
  assert.is((await failure(r.enter(SHOW, 'cat'))).code, 'SOLD_OUT');
  await line.configure(SHOW, { state: 'CLOSED' });
  assert.is((await failure(r.enter(SHOW, 'dan'))).code, 'QUEUE_CLOSED');
  assert.is((await failure(r.summary('nowhere'))).code, 'QUEUE_NOT_FOUND');
  assert.is((await failure(r.configure('nowhere', { capacity: 3 }))).code, 'QUEUE_NOT_FOUND');
});

test('polls come a little early rather than all at once, never late', async () => {
  const { room: r } = room({ capacity: 0 });
  const waits = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((fan) => r.enter(SHOW, fan)));
  for (const wait of waits) assert.ok(wait.pollAfterMs <= 2_000 && wait.pollAfterMs >= 1_800, String(wait.pollAfterMs));
});

test.run();
