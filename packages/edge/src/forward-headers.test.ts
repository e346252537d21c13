import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clientHeaders, upstreamHeaders } from './forward-headers.ts';

const context = { caller: { id: 'u-1', role: 'USER' as const }, internalToken: 'internal-secret', requestId: 'req-1', clientIp: '203.0.113.9', protocol: 'https' };

test('client copies of identity, internal and forwarding headers are replaced, never appended', () => {
  const headers = upstreamHeaders({
    'x-user-id': 'victim', 'x-user-role': 'ADMIN', 'x-internal-token': 'guess', 'x-user-anything': 'x', 'x-internal-other': 'y',
    'x-forwarded-for': '1.2.3.4', forwarded: 'for=1.2.3.4', 'x-real-ip': '1.2.3.4', authorization: 'Bearer abc', cookie: 'a=b',
    'content-type': 'application/json', 'x-queue-token': 'q', 'idempotency-key': 'k', connection: 'keep-alive', 'content-length': '10', 'transfer-encoding': 'chunked',
  }, context);
  assert.equal(headers, {
    'content-type': 'application/json', 'x-queue-token': 'q', 'idempotency-key': 'k',
    'x-internal-token': 'internal-secret', 'x-user-id': 'u-1', 'x-user-role': 'USER', 'x-request-id': 'req-1',
    'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https',
  });
});

test('a confirmed address travels as x-user-email-verified only when the verified token says so; a client copy never does', () => {
  const verified = upstreamHeaders({ 'x-user-email-verified': '1' }, { ...context, caller: { ...context.caller, emailVerified: true } });
  assert.is(verified['x-user-email-verified'], '1');
  const unverified = upstreamHeaders({ 'x-user-email-verified': '1' }, context);
  assert.not.ok('x-user-email-verified' in unverified);
});

test('an anonymous request carries no identity at all, whatever the client sent', () => {
  const headers = upstreamHeaders({ 'x-user-id': 'victim', 'x-user-role': 'ADMIN' }, { ...context, caller: undefined });
  assert.not.ok('x-user-id' in headers);
  assert.not.ok('x-user-role' in headers);
});

test('responses keep their own headers (repeated ones too) but no hop-by-hop ones', () => {
  const raw = ['Content-Type', 'application/json', 'Content-Length', '2', 'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'Transfer-Encoding', 'chunked',
    'X-Request-Id', 'other', 'Retry-After', '3', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2'].map((part) => Buffer.from(part, 'latin1'));
  assert.equal(clientHeaders(raw), [
    ['content-type', 'application/json'], ['content-length', '2'], ['retry-after', '3'], ['set-cookie', ['a=1', 'b=2']],
  ]);
});

test.run();
