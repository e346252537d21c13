/**
 * Whatever a client or a broken scanner sends, the tickets service answers 4xx problem+json, never
 * a 5xx: fast-check throws junk path parameters, queries and bodies at every route, as a fan, as
 * staff of the show and as an administrator.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { INTERNAL_TOKEN, scan, startTickets, type Account, type Harness, type Show } from './harness.ts';

const SEED = 20261206;
let h: Harness;
let show: Show;
let fan: Account;
let staff: Account;
let ticketId: string;
let code: string;
const adminId = randomUUID();

test.before(async () => {
  h = await startTickets();
  show = await h.publishShow(2);
  [fan, staff] = [await h.auth.signUp(), await h.auth.signUp()];
  const granted = await h.call('POST', `/api/v1/check-in/performances/${show.performanceId}/staff`, { userId: adminId, role: 'ADMIN', body: { email: staff.email } });
  assert.is(granted.status, 201);
  const confirmed = await h.confirmOrder(fan.id, show, show.seatIds);
  const [ticket] = await h.ticketsOf(fan.id, (confirmed.payload as { orderId: string }).orderId, 2);
  ticketId = ticket!.id;
  code = ticket!.code!.code;
});
test.after(async () => { await h.close(); });

const junk = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', '\u0000', '../../etc/passwd', "' OR 1=1 --", '<script>alert(1)</script>', '1e308', '-1', '9007199254740993', 'NaN', '[]', '{}'),
);
const segment = () => fc.oneof(fc.constantFrom(show.performanceId, ticketId, randomUUID(), 'me', '00000000-0000-0000-0000-000000000000'), fc.string({ minLength: 1, maxLength: 60 }).map(encodeURIComponent));
const query = fc.dictionary(fc.constantFrom('limit', 'since', 'format', 'cursor', 'x'), fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('1e308', '-0', '0.5', '5001', '9007199254740993', 'png')), { maxKeys: 3 })
  .map((q) => (Object.keys(q).length ? `?${new URLSearchParams(q).toString()}` : ''));
const scanLike = () => fc.record({
  scanId: fc.oneof(fc.uuid(), junk), scheduleId: fc.oneof(fc.constantFrom(show.scheduleId, show.otherScheduleId), fc.uuid(), junk),
  code: fc.oneof(fc.constant(code), fc.constant(`${code}A`), fc.string({ maxLength: 300 }), junk),
  scannedAt: fc.oneof(fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }).map((d) => d.toISOString()), junk),
}, { requiredKeys: [] });
const bodies = () => fc.oneof(
  junk,
  fc.record({ email: fc.oneof(fc.emailAddress(), junk), price: fc.integer(), codeMode: fc.oneof(fc.constantFrom('STATIC', 'ROTATING'), junk) }, { requiredKeys: [] }),
  fc.record({ gate: fc.oneof(fc.constantFrom('North', 'Gate 2'), junk), deviceId: junk, scans: fc.oneof(fc.array(scanLike(), { maxLength: 4 }), junk) }, { requiredKeys: [] }),
);

const ROUTES: Array<[string, string]> = [
  ['GET', '/api/v1/tickets'], ['GET', '/api/v1/tickets/{t}'], ['GET', '/api/v1/tickets/{t}/qr'], ['GET', '/api/v1/tickets/{t}/calendar.ics'],
  ['POST', '/api/v1/tickets/{t}/transfers'], ['GET', '/api/v1/check-in/performances/{p}'], ['PATCH', '/api/v1/check-in/performances/{p}'],
  ['GET', '/api/v1/check-in/performances/{p}/revocations'], ['GET', '/api/v1/check-in/performances/{p}/check-ins'],
  ['POST', '/api/v1/check-in/performances/{p}/scans'], ['GET', '/api/v1/check-in/performances/{p}/duplicates'],
  ['GET', '/api/v1/check-in/performances/{p}/staff'], ['POST', '/api/v1/check-in/performances/{p}/staff'], ['DELETE', '/api/v1/check-in/performances/{p}/staff/{u}'],
];

for (const [method, template] of ROUTES) {
  test(`${method} ${template}: junk in, 4xx problem+json out, never a 5xx`, async () => {
    await fc.assert(fc.asyncProperty(
      segment(), segment(), query, bodies(), fc.constantFrom('fan', 'staff', 'admin', 'nobody'),
      async (first, second, q, body, who) => {
        const path = template.replace('{t}', first).replace('{p}', first).replace('{u}', second) + q;
        const headers: Record<string, string> = { 'x-internal-token': INTERNAL_TOKEN, 'content-type': 'application/json' };
        if (who !== 'nobody') Object.assign(headers, { 'x-user-id': who === 'fan' ? fan.id : who === 'staff' ? staff.id : adminId, 'x-user-role': who === 'admin' ? 'ADMIN' : 'USER' });
        const res = await fetch(`${h.base}${path}`, { method, headers, ...(method === 'GET' || method === 'DELETE' ? {} : { body: JSON.stringify(body) }) });
        const text = await res.text();
        assert.ok(res.status < 500, `${method} ${path} ${JSON.stringify(body)} → ${res.status} ${text.slice(0, 300)}`);
        if (res.status >= 400) assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/, `${method} ${path}`);
      },
    ), { seed: SEED, numRuns: 40 });
  });
}

test('a well-formed scan of the real ticket still works after all that; its scanId cannot be reused for another ticket', async () => {
  // The junk may have switched the show to rotating codes (an admin may): back to static for this check.
  await h.call('PATCH', `/api/v1/check-in/performances/${show.performanceId}`, { userId: adminId, role: 'ADMIN', body: { codeMode: 'STATIC' } });
  const first = scan(code, show.scheduleId);
  const res = await h.call('POST', `/api/v1/check-in/performances/${show.performanceId}/scans`, { userId: staff.id, body: { gate: 'North', scans: [first] } });
  assert.is(res.status, 200);
  assert.ok(['ADMITTED', 'DUPLICATE'].includes((res.body.results as Array<{ outcome: string }>)[0]!.outcome));
  const tickets = await h.call('GET', '/api/v1/tickets', { userId: fan.id });
  const other = (tickets.body.items as Array<{ id: string; code: { code: string } }>).find((t) => t.id !== ticketId)!;
  const reused = await h.call('POST', `/api/v1/check-in/performances/${show.performanceId}/scans`, { userId: staff.id, body: { gate: 'North', scans: [{ ...first, code: other.code.code }] } });
  assert.equal([reused.status, reused.body.code], [400, 'SCAN_ID_REUSED']);
});

test.run();
