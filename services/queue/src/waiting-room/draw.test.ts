import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { drawOrder, drawValue, seedCommitment } from './draw.ts';

test('a draw value is the 52-bit prefix of SHA-1(seed:userId)', () => {
  // sha1("s:u") = a08d8262513e5046b421…, computed with another tool: 0xa08d8262513e5
  assert.is(drawValue('s', 'u'), 0xa08d8262513e5);
  assert.is(drawValue('s', 'u'), 2824474213028837);
  assert.is.not(drawValue('t', 'u'), drawValue('s', 'u'));
});

test('the order is a permutation that depends on the seed only', () => {
  const users = Array.from({ length: 50 }, (_, i) => `user-${i}`);
  const a = drawOrder('seed-a', users);
  assert.equal([...a].sort(), [...users].sort());
  assert.equal(drawOrder('seed-a', [...users].reverse()), a);
  assert.not.equal(drawOrder('seed-b', users), a);
});

test('the commitment is SHA-256 of the seed in hex', () => {
  assert.is(seedCommitment('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test.run();
