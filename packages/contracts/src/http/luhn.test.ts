import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { passesLuhn } from './luhn.ts';

test('Luhn: the test cards and common numbers pass, one wrong digit fails', () => {
  for (const good of ['4242424242424242', '4000000000000002', '5555555555554444', '378282246310005']) assert.ok(passesLuhn(good), good);
  for (const bad of ['4242424242424241', '4000000000000001', '1234567890123']) assert.not.ok(passesLuhn(bad), bad);
});

test.run();
