/**
 * The tickets routes as a fan and a scanner reach them: through the real gateway (access token
 * checked there, identity passed on), with the real auth service issuing the tokens.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '@ticketping/gateway/config';
import { createService as createGateway } from '@ticketping/gateway/service';
import { listen, type RunningServer } from '@ticketping/http';
import { createMetrics } from '@ticketping/metrics';
import { createRedis } from '@ticketping/redis';
import { randomPrefix, testEnv } from '@ticketping/testing';
import { INTERNAL_TOKEN, quietLogger, startTickets, type Harness } from './harness.ts';

let h: Harness;
let gateway: RunningServer;
let stopGateway: () => Promise<void>;
const redis = createRedis({ url: testEnv.redisUrl });
const keyPrefix = randomPrefix('gw-tickets');

test.before(async () => {
  h = await startTickets();
  const down = 'http://127.0.0.1:9'; // services this test does not need
  const config = loadConfig({
    INTERNAL_TOKEN, REDIS_KEY_PREFIX: keyPrefix, WEB_DIST: '/nonexistent',
    AUTH_URL: h.auth.base, TICKETS_URL: h.base, CATALOG_URL: down, QUEUE_URL: down, BOOKING_URL: down, PAYMENT_URL: down, QUEUE_JWKS: '{"keys":[]}',
  });
  const service = createGateway({ config, logger: quietLogger('gateway-test'), metrics: createMetrics('gateway', { defaultMetrics: false }), redis });
  await service.start();
  gateway = await listen(service.app, 0);
  stopGateway = () => service.stop();
});
test.after(async () => {
  await gateway?.close();
  await stopGateway?.();
  const keys = await redis.keys(`${keyPrefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await h?.close();
});

const api = (path: string, token?: string) => fetch(`http://127.0.0.1:${gateway.port}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

test('a fan logged in at auth lists their tickets through the gateway; the keys are public; check-in needs a token', async () => {
  const fan = await h.auth.signUp();
  const login = await fetch(`http://127.0.0.1:${gateway.port}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: fan.email, password: 'fan-password-1' }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const show = await h.publishShow(1);
  const confirmed = await h.confirmOrder(fan.id, show, show.seatIds);
  const [ticket] = await h.ticketsOf(fan.id, (confirmed.payload as { orderId: string }).orderId, 1);

  const mine = await api('/api/v1/tickets', accessToken);
  assert.is(mine.status, 200);
  assert.equal(((await mine.json()) as { items: Array<{ id: string }> }).items.map((t) => t.id), [ticket!.id]);
  const qr = await api(`/api/v1/tickets/${ticket!.id}/qr?format=png`, accessToken);
  assert.equal([qr.status, qr.headers.get('content-type')], [200, 'image/png']);
  assert.is((await api('/api/v1/tickets')).status, 401, 'my tickets need a token');
  const keys = await api('/api/v1/tickets/jwks.json');
  assert.is(keys.status, 200);
  assert.ok(((await keys.json()) as { keys: unknown[] }).keys.length >= 1);
  assert.is((await api(`/api/v1/check-in/performances/${show.performanceId}`)).status, 401);
  const notStaff = await api(`/api/v1/check-in/performances/${show.performanceId}`, accessToken);
  assert.equal([notStaff.status, ((await notStaff.json()) as { code: string }).code], [403, 'STAFF_ONLY']);
});

test.run();
