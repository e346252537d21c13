import { createChallenge, verifySolution } from 'altcha-lib/v1';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ProofOfWorkSolution } from '@ticketping/contracts/http';
import { verifySolutionSync } from './verify.ts';

const KEY = 'a-test-hmac-key-0123456789abcdef';

async function solved(params: Record<string, string> = { p: 'perf', u: 'user' }): Promise<ProofOfWorkSolution> {
  const c = await createChallenge({ hmacKey: KEY, maxnumber: 50, number: 17, params, expires: new Date(Date.now() + 60_000) });
  return { algorithm: 'SHA-256', challenge: c.challenge, number: 17, salt: c.salt, signature: c.signature };
}

test('agrees with altcha-lib on good, wrong-number, wrong-key, edited-salt and edited-signature solutions', async () => {
  const good = await solved();
  const other = await solved({ p: 'perf', u: 'thief' });
  const cases: Array<[string, ProofOfWorkSolution, string]> = [
    ['good', good, KEY],
    ['wrong number', { ...good, number: 18 }, KEY],
    ['another key', good, 'another-key-0123456789abcdef0123'],
    ['edited salt', { ...good, salt: other.salt }, KEY],
    ['salt and challenge of another, signature of this', { ...other, signature: good.signature }, KEY],
    ['short signature', { ...good, signature: good.signature.slice(0, 10) }, KEY],
  ];
  for (const [name, solution, key] of cases) {
    assert.is(verifySolutionSync(solution, key), await verifySolution(solution, key, false), name);
  }
  assert.ok(verifySolutionSync(good, KEY));
});

test.run();
