/**
 * Rotating the signing key: a new key is put first in TICKET_SIGNING_KEYS and the old one kept after
 * it. Tickets printed before the rotation still get in; new codes carry the new key; both keys are
 * published, and a key dropped from the list voids its codes.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateSigningKey, type PrivateJwk } from '@ticketping/auth-tokens';
import { createMemoryBus } from '@ticketping/bus';
import { listen, type RunningServer } from '@ticketping/http';
import { createMetrics } from '@ticketping/metrics';
import { parseCode } from '../src/codes/codes.ts';
import { ticketsConfigSchema } from '../src/config.ts';
import { createService } from '../src/service.ts';
import { INTERNAL_TOKEN, quietLogger, scan, startTickets, type Harness } from './harness.ts';

let h: Harness;
let oldKey: PrivateJwk;
let newKey: PrivateJwk;
const closers: Array<() => Promise<unknown>> = [];

test.before(async () => {
  [oldKey, newKey] = [await generateSigningKey('old-1'), await generateSigningKey('new-2')];
  h = await startTickets({ env: { TICKET_SIGNING_KEYS: JSON.stringify([oldKey]) } });
});
test.after(async () => {
  for (const close of closers.reverse()) await close();
  await h.close();
});

/** Another replica of the service on the same database, as after a rollout with other keys. */
async function replicaWith(keys: PrivateJwk[]): Promise<string> {
  const logger = quietLogger();
  const metrics = createMetrics('tickets', { defaultMetrics: false });
  const bus = createMemoryBus({ logger, metrics: metrics.registry });
  const config = ticketsConfigSchema.parse({ INTERNAL_TOKEN, DATABASE_URL: h.db.url, AUTH_URL: h.auth.base, TICKET_SIGNING_KEYS: JSON.stringify(keys) });
  const service = createService({ config, logger, metrics, db: h.db.knex, bus });
  await service.start();
  const server: RunningServer = await listen(service.app, 0);
  closers.push(() => bus.close(), () => service.stop(), () => server.close());
  return `http://127.0.0.1:${server.port}`;
}

async function call(base: string, method: string, path: string, userId: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method, headers: { 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': userId, 'x-user-role': 'ADMIN', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await res.json()) as Record<string, unknown>;
}

test('after a rotation old codes still enter, new codes carry the new key, both keys are published; a dropped key voids its codes', async () => {
  const show = await h.publishShow(2);
  const fan = await h.auth.signUp();
  const admin = randomUUID();
  const confirmed = await h.confirmOrder(fan.id, show, show.seatIds);
  const [first, second] = await h.ticketsOf(fan.id, (confirmed.payload as { orderId: string }).orderId, 2);
  const printed = first!.code!.code;
  assert.is(parseCode(printed)?.payload.kid, 'old-1');

  const rotated = await replicaWith([newKey, oldKey]);
  const jwks = await call(rotated, 'GET', '/api/v1/tickets/jwks.json', admin);
  assert.equal((jwks.keys as Array<{ kid: string; d?: string }>).map((k) => [k.kid, k.d]), [['new-2', undefined], ['old-1', undefined]]);
  const fresh = await call(rotated, 'GET', `/api/v1/tickets/${second!.id}`, fan.id);
  const freshCode = (fresh.code as { code: string }).code;
  assert.is(parseCode(freshCode)?.payload.kid, 'new-2');
  const door = await call(rotated, 'POST', `/api/v1/check-in/performances/${show.performanceId}/scans`, admin, { gate: 'North', scans: [scan(printed, show.scheduleId), scan(freshCode, show.scheduleId)] });
  assert.equal((door.results as Array<{ outcome: string }>).map((r) => r.outcome), ['ADMITTED', 'ADMITTED']);

  const dropped = await replicaWith([newKey]);
  const late = await call(dropped, 'POST', `/api/v1/check-in/performances/${show.performanceId}/scans`, admin, { gate: 'North', scans: [scan(printed, show.scheduleId)] });
  assert.is((late.results as Array<{ outcome: string }>)[0]!.outcome, 'FORGED');
});

test.run();
