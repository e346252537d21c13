import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AppError } from '@ticketping/http';
import { createHashBudget } from './hash-budget.ts';

const gate = () => {
  const { promise, resolve } = Promise.withResolvers<void>();
  return { promise, open: () => resolve() };
};

test('runs up to `concurrency` at once, lines up `queueMax` more, refuses the next at once with 503 and Retry-After', async () => {
  const budget = createHashBudget({ concurrency: 2, queueMax: 2, maxWaitMs: 10_000 });
  const held = gate();
  const started: number[] = [];
  const jobs = [0, 1, 2, 3].map((n) => budget.run('signup', async () => { started.push(n); await held.promise; return n; }));
  await Promise.resolve();
  assert.equal(budget.load(), { running: 2, waiting: 2 });
  const refused = await budget.run('signup', async () => 'never').catch((e: unknown) => e);
  assert.ok(refused instanceof AppError);
  assert.equal([refused.status, refused.code, refused.headers['retry-after']], [503, 'AUTH_BUSY', '1']);
  held.open();
  assert.equal(await Promise.all(jobs), [0, 1, 2, 3]);
  assert.equal(budget.load(), { running: 0, waiting: 0 });
});

test('a login waiting in line goes ahead of sign-ups that came before it', async () => {
  const budget = createHashBudget({ concurrency: 1, queueMax: 10, maxWaitMs: 10_000 });
  const held = gate();
  const order: string[] = [];
  const first = budget.run('signup', async () => { await held.promise; order.push('first'); });
  const later = [budget.run('signup', async () => { order.push('signup'); }), budget.run('login', async () => { order.push('login'); })];
  held.open();
  await Promise.all([first, ...later]);
  assert.equal(order, ['first', 'login', 'signup']);
});

test('a login finds a place in a line full of sign-ups: the last sign-up is refused instead', async () => {
  const budget = createHashBudget({ concurrency: 1, queueMax: 2, maxWaitMs: 10_000 });
  const held = gate();
  const busy = budget.run('signup', () => held.promise);
  const early = budget.run('signup', async () => 'early');
  const late = budget.run('signup', async () => 'late').catch((e: unknown) => e);
  const login = budget.run('login', async () => 'login');
  const bumped = await late;
  assert.is((bumped as AppError).code, 'AUTH_BUSY');
  const anotherSignUp = await budget.run('signup', async () => 'never').catch((e: unknown) => (e as AppError).status);
  assert.is(anotherSignUp, 503, 'a sign-up still finds the line full');
  held.open();
  assert.equal(await Promise.all([busy, early, login]), [undefined, 'early', 'login']);
});

test('a request that waited past maxWaitMs is refused with 503, and its place is given up', async () => {
  const budget = createHashBudget({ concurrency: 1, queueMax: 10, maxWaitMs: 20 });
  const held = gate();
  const busy = budget.run('signup', () => held.promise);
  const waited = await budget.run('login', async () => 'never').catch((e: unknown) => e);
  assert.is((waited as AppError).status, 503);
  assert.equal(budget.load(), { running: 1, waiting: 0 });
  held.open();
  await busy;
  assert.is(await budget.run('login', async () => 'ok'), 'ok');
});

test('a slot kept for logins: sign-ups never take it, a login starts at once while sign-ups wait', async () => {
  const budget = createHashBudget({ concurrency: 2, loginReserve: 1, queueMax: 10, maxWaitMs: 10_000 });
  const held = gate();
  const signups = [0, 1, 2].map((n) => budget.run('signup', async () => { await held.promise; return n; }));
  await Promise.resolve();
  assert.equal(budget.load(), { running: 1, waiting: 2 }, 'one sign-up hashes, the others wait for the sign-up slot');
  assert.is(await budget.run('login', async () => 'in at once'), 'in at once');
  held.open();
  assert.equal(await Promise.all(signups), [0, 1, 2]);
  assert.equal(budget.load(), { running: 0, waiting: 0 });
  const alone = createHashBudget({ concurrency: 1, loginReserve: 1, queueMax: 0, maxWaitMs: 10 });
  assert.is(await alone.run('signup', async () => 'a reserve never takes the last slot'), 'a reserve never takes the last slot');
});

test('a failing hash frees its slot', async () => {
  const budget = createHashBudget({ concurrency: 1, queueMax: 0, maxWaitMs: 10 });
  await budget.run('login', async () => { throw new Error('boom'); }).catch(() => undefined);
  assert.is(await budget.run('login', async () => 'ok'), 'ok');
});

test.run();
