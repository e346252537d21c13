import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addressRange, canonicalAddress } from './address-range.ts';

test('IPv4 addresses group by /24, IPv6 by /64, mapped IPv4 as IPv4', () => {
  assert.is(addressRange('203.0.113.7'), '203.0.113.0/24');
  assert.is(addressRange('203.0.113.250'), addressRange('203.0.113.7'));
  assert.is.not(addressRange('203.0.114.7'), addressRange('203.0.113.7'));
  assert.is(addressRange('::ffff:203.0.113.9'), '203.0.113.0/24');
  assert.is(addressRange('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.is(addressRange('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.is.not(addressRange('2001:db8:1:3::1'), addressRange('2001:db8:1:2::1'));
  assert.is(addressRange('unknown'), 'unknown');
});

test('one client has one spelling', () => {
  assert.is(canonicalAddress('::ffff:127.0.0.1'), '127.0.0.1');
  assert.is(canonicalAddress('2001:0db8::0001'), '2001:db8::1');
});

test.run();
