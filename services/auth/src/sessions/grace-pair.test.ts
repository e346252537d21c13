import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openPair, sealPair } from './grace-pair.ts';

test('a sealed pair opens only with the refresh token it was sealed with', () => {
  const pair = { accessToken: 'a.b.c', refreshToken: 'next', tokenType: 'Bearer', expiresIn: 900 };
  const sealed = sealPair(pair, 'used-token');
  assert.not.match(sealed, /next|a\.b\.c/);
  assert.equal(openPair(sealed, 'used-token'), pair);
  assert.is(openPair(sealed, 'another-token'), undefined);
  const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
  assert.is(openPair(tampered, 'used-token'), undefined);
});

test.run();
