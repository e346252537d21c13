import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { canonicalJson, requestFingerprint } from './index.ts';

test('the same body in another key order is the same request', () => {
  assert.is(canonicalJson({ b: [{ y: 1, x: 2 }], a: 'z' }), canonicalJson({ a: 'z', b: [{ x: 2, y: 1 }] }));
  assert.is.not(canonicalJson({ a: [1, 2] }), canonicalJson({ a: [2, 1] }), 'array order matters');
  assert.is(canonicalJson(undefined), 'null');
});

test('method, path and body all make the fingerprint', () => {
  const base = { method: 'POST', path: '/api/v1/orders', body: { scheduleId: 's', seatIds: ['a'] } };
  const same = requestFingerprint({ ...base, body: { seatIds: ['a'], scheduleId: 's' } });
  assert.is(requestFingerprint(base), same);
  assert.is.not(requestFingerprint({ ...base, body: { scheduleId: 's', seatIds: ['b'] } }), same);
  assert.is.not(requestFingerprint({ ...base, path: '/api/v1/payments' }), same);
  assert.is.not(requestFingerprint({ ...base, method: 'DELETE' }), same);
});

test('a keyed fingerprint cannot be recomputed without the key, and is stable with it', () => {
  const payment = { method: 'POST', path: '/api/v1/payments', body: { orderId: 'o', method: { type: 'card', cardNumber: '4242424242424242' } } };
  const keyed = requestFingerprint(payment, 'k'.repeat(32));
  assert.is(requestFingerprint(payment, 'k'.repeat(32)), keyed);
  assert.is.not(requestFingerprint(payment), keyed);
  assert.is.not(requestFingerprint(payment, 'j'.repeat(32)), keyed);
});

test.run();
