/**
 * Bad input, every endpoint of docs/openapi.yaml through the gateway: fast-check sends invalid
 * path parameters, queries, bodies, content types, headers and credentials. Whatever comes in,
 * the answer is never a 5xx, every error is problem+json with type/title/status/detail/code,
 * and the platform keeps answering. HOSTILE_SEED=<n> replays a run; HOSTILE_RUNS=<n> scales it.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { admit, adminToken, createPerformance, holdSeats, problemDefects, REQUEST_DEADLINE_MS, signUp, startPlatform, type Fan, type Platform } from './support.ts';
import { hostileTokens } from './tokens.ts';
import { body, contentType, headerValue, operations, pathSegment, queryString, type OperationSpec } from './openapi-arbitraries.ts';

const SEED = Number(process.env.HOSTILE_SEED ?? 20261124);
const RUNS = Number(process.env.HOSTILE_RUNS ?? 40);

let platform: Platform;
let fans: Fan[];
let admin: string;
let admitted: { fan: Fan; queueToken: string };
let realIds: string[];
let badCredentials: string[];

test.before(async () => {
  platform = await startPlatform('bad-input');
  admin = await adminToken(platform);
  fans = await Promise.all(['ana', 'ben', 'cy', 'dee', 'eve'].map((name) => signUp(platform, name)));
  const show = await createPerformance(platform, admin);
  const holder = await signUp(platform, 'holder');
  const queueToken = await admit(platform, holder, show.performanceId);
  admitted = { fan: holder, queueToken };
  const order = await holdSeats(platform, holder, queueToken, show.scheduleId, show.seatIds.slice(0, 1));
  const payment = await platform.api('POST', '/payments', { token: holder.accessToken, body: { orderId: order.id, method: { type: 'card', cardNumber: '4000000000000002' } }, headers: { 'idempotency-key': randomUUID() } });
  assert.ok(payment.status < 500, payment.text);
  realIds = [show.performanceId, show.scheduleId, order.id as string, ...(payment.body.id ? [payment.body.id as string] : [])];
  const forged = await hostileTokens(platform.dataDir, fans[0]!.id);
  badCredentials = ['Bearer', 'Bearer ', 'Basic YWRtaW46YWRtaW4=', `Bearer ${'a'.repeat(5000)}`, `Bearer ${forged.expired}`, `Bearer ${forged.forgedAdmin}`,
    `Bearer ${forged.forgedSameKid}`, `Bearer ${forged.unsigned}`, `Bearer ${forged.wrongAudience}`, `Bearer ${forged.tampered(fans[0]!.accessToken)}`, `Bearer ${queueToken}`];
});

test.after(async () => {
  await platform?.stop();
});

/** No token, a bad one, a fan's, the admin's; on booking writes also the admitted fan with a real or junk X-Queue-Token. */
function credentials(op: OperationSpec): fc.Arbitrary<Record<string, string>> {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const choices: Array<fc.Arbitrary<Record<string, string>>> = [
    fc.constant({}),
    fc.constantFrom(...badCredentials).map((authorization) => ({ authorization })),
    fc.constantFrom(...fans).map((fan) => bearer(fan.accessToken)),
    fc.constant(bearer(admin)),
  ];
  if (op.method === 'POST' && op.path === '/api/v1/orders') {
    const queueToken = fc.oneof(fc.constant(admitted.queueToken), headerValue(400), fc.constant(admitted.queueToken.slice(0, -4) + 'AAAA'));
    choices.push(queueToken.map((token) => ({ ...bearer(admitted.fan.accessToken), 'x-queue-token': token })));
  }
  return fc.oneof(...choices);
}

function hostileRequest(op: OperationSpec) {
  const segments = fc.tuple(...op.pathParams.map(() => pathSegment(realIds)));
  const extraHeaders = fc.record({
    'idempotency-key': headerValue(300),
    'x-request-id': headerValue(300),
    accept: fc.constantFrom('application/xml', '*/*', 'text/html', ''),
    'x-forwarded-for': fc.constantFrom('not-an-ip', '10.0.0.1, 1.2.3.4', '::1'),
  }, { requiredKeys: [] });
  return fc.record({ segments, query: queryString(op.queryParams), creds: credentials(op), extraHeaders, body: op.bodySchema || op.method !== 'GET' ? body(op.bodySchema) : fc.constant(undefined), contentType });
}

function fillPath(template: string, names: string[], values: string[]): string {
  return names.reduce((at, name, i) => at.replace(`{${name}}`, values[i]!), template);
}

async function send(method: string, url: string, headers: Record<string, string>, payload: string | undefined) {
  const res = await fetch(`${platform.standalone.url}${url}`, { method, headers, ...(payload === undefined ? {} : { body: payload }), signal: AbortSignal.timeout(REQUEST_DEADLINE_MS) });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try { parsed = JSON.parse(text) as Record<string, unknown>; } catch { /* problemDefects reports the missing fields */ }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

// These two run first, while the admin's and the fans' per-account budgets are untouched.
test('a performance whose schedule times do not parse is a 400 naming the field (was a 500: catalog ran its duplicate check on unparsed dates)', async () => {
  const reply = await platform.api('POST', '/performances', {
    token: admin,
    body: { title: 'x', venue: 'y', bookingOpensAt: 'yesterday', bookingClosesAt: null, maxSeatsPerOrder: 1, schedules: [{ startsAt: 'soon' }], sections: ['not a section'], queue: { capacity: 1 } },
  });
  assert.is(reply.status, 400, reply.text);
  assert.equal(problemDefects(reply), []);
  assert.ok(JSON.stringify(reply.body.errors).includes('schedules'), reply.text);
});

test('bodies over the limit are 413 PAYLOAD_TOO_LARGE problem+json on every endpoint that takes one', async () => {
  for (const op of operations().filter((o) => o.bodySchema)) {
    const limit = op.path.endsWith('/rum') ? 256 * 1024 : 100 * 1024;
    const url = fillPath(op.path, op.pathParams, op.pathParams.map(() => realIds[0]!));
    const reply = await send(op.method, url, { 'content-type': 'application/json', authorization: `Bearer ${fans[2]!.accessToken}`, 'x-forwarded-for': '198.51.100.8' }, JSON.stringify({ pad: 'x'.repeat(limit + 1024) }));
    assert.is(reply.status, 413, `${op.method} ${op.path}: ${reply.text.slice(0, 200)}`);
    assert.equal(problemDefects(reply), [], `${op.method} ${op.path}`);
    assert.is(reply.body.code, 'PAYLOAD_TOO_LARGE');
  }
});

for (const op of operations()) {
  test(`${op.method} ${op.path}: hostile input never gets a 5xx or a non-problem error`, async () => {
    await fc.assert(fc.asyncProperty(hostileRequest(op), async (input) => {
      const url = fillPath(op.path, op.pathParams, input.segments) + input.query;
      const headers: Record<string, string> = { ...input.extraHeaders, ...input.creds, ...(input.body === undefined || input.contentType === '' ? {} : { 'content-type': input.contentType }) };
      // Spread the per-address budget: the gateway trusts loopback proxies, and this suite is not about rate limits.
      // (the rightmost address counts; the hostile ones before it are still parsed).
      headers['x-forwarded-for'] = [input.extraHeaders['x-forwarded-for'], `203.0.113.${Math.floor(Math.random() * 250) + 1}`].filter(Boolean).join(', ');
      let reply;
      try {
        reply = await send(op.method, url, headers, input.body);
      } catch (error) {
        throw new Error(`${op.method} ${url} failed: ${String(error)}`);
      }
      const defects = problemDefects(reply);
      if (defects.length > 0) {
        throw new Error(`${op.method} ${url}\nheaders ${JSON.stringify(headers)}\nbody ${input.body?.slice(0, 500) ?? '(none)'}\n→ ${reply.status} ${reply.headers.get('content-type')} ${reply.text.slice(0, 500)}\ndefects: ${defects.join(', ')}`);
      }
    }), { seed: SEED, numRuns: RUNS, endOnFailure: true });
    const alive = await platform.api('GET', '/performances?limit=1');
    assert.is(alive.status, 200, 'the platform still answers');
  });
}

test('unknown routes and methods under /api/v1 are problem+json 404s (or 405s), never a 5xx', async () => {
  await fc.assert(fc.asyncProperty(
    fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'POST', 'OPTIONS'),
    fc.constantFrom('/api/v1/nope', '/api/v1/users/me/password', '/api/v1/orders/x/y/z', '/api/v1/venues', '/api/v1/payments', '/api/v1/queues', '/api/v2/orders', '/api/v1/%2e%2e/internal'),
    fc.constantFrom<Record<string, string>>({}, { authorization: `Bearer ${fans[1]!.accessToken}` }),
    async (method, route, headers) => {
      const reply = await send(method, route, { ...headers, 'x-forwarded-for': '198.51.100.7' }, undefined);
      if (method === 'OPTIONS' && reply.status < 300) return; // CORS preflight
      const defects = problemDefects(reply);
      if (defects.length > 0 || reply.status < 400) throw new Error(`${method} ${route} → ${reply.status} ${reply.text.slice(0, 300)} ${defects.join(', ')}`);
    },
  ), { seed: SEED, numRuns: 30, endOnFailure: true });
});

test.run();
