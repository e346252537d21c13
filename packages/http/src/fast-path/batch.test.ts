import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConflictError } from '../errors.ts';
import { batchPerTurn, errorFromProblem, settleAnswer, unwrapAnswer } from './batch.ts';

const silent = { error: () => undefined };

test('the items of one turn go in one call, each caller getting the answer at its own index', async () => {
  const calls: number[][] = [];
  const double = batchPerTurn(async (items: number[]) => { calls.push(items); return items.map((n) => n * 2); }, 256);
  assert.equal(await Promise.all([double(1), double(2), double(3)]), [2, 4, 6]);
  assert.equal(await double(4), 8);
  assert.equal(calls, [[1, 2, 3], [4]]);
});

test('a call carries at most maxPerCall items', async () => {
  const calls: number[][] = [];
  const same = batchPerTurn(async (items: number[]) => { calls.push(items); return items; }, 2);
  assert.equal(await Promise.all([1, 2, 3, 4, 5].map(same)), [1, 2, 3, 4, 5]);
  assert.equal(calls, [[1, 2], [3, 4], [5]]);
});

test('a failed call, or one with too few answers, fails every caller of its batch', async () => {
  const broken = batchPerTurn(async () => { throw new Error('down'); }, 10);
  const results = await Promise.allSettled([broken(1), broken(2)]);
  assert.equal(results.map((r) => r.status), ['rejected', 'rejected']);
  const short = batchPerTurn(async () => [1], 10);
  const shorts = await Promise.allSettled([short(1), short(2)]);
  assert.match(String((shorts[0] as PromiseRejectedResult).reason), /a batch of 2 got 1 answers/);
});

test('settleAnswer: a success and an AppError each become an answer; unwrapAnswer turns them back', async () => {
  const ok = await settleAnswer(async () => ({ status: 'WAITING' }), { 'cache-control': 'no-store' }, silent);
  assert.equal(ok, { status: 200, headers: { 'cache-control': 'no-store' }, body: { status: 'WAITING' } });
  assert.equal(unwrapAnswer(ok), { status: 'WAITING' });
  const refused = await settleAnswer(async () => { throw new ConflictError('SOLD_OUT', 'Sold out', { extra: { left: 0 } }); }, {}, silent);
  assert.is(refused.status, 409);
  try {
    unwrapAnswer(refused);
    assert.unreachable('a problem answer throws');
  } catch (error) {
    assert.equal([(error as ConflictError).status, (error as ConflictError).code, (error as ConflictError).extra], [409, 'SOLD_OUT', { left: 0 }]);
  }
});

test('an unexpected failure is logged and answered as a 500 that leaks nothing', async () => {
  const logged: unknown[] = [];
  const answer = await settleAnswer(async () => { throw new Error('secret internals'); }, {}, { error: (...args: unknown[]) => { logged.push(args); } });
  assert.equal([answer.status, logged.length], [500, 1]);
  assert.not.match(JSON.stringify(answer.body), /secret internals/);
});

test('errorFromProblem: a code this build does not know is an upstream failure', () => {
  const error = errorFromProblem(418, { code: 'NEWER_CODE' as never, title: 'Teapot' });
  assert.equal([error.status, error.code], [418, 'UPSTREAM_FAILED']);
});

test.run();
