import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { publicJwks } from '@ticketping/auth-tokens';
import { initTracing } from '@ticketping/telemetry';
import { randomPrefix } from '@ticketping/testing';
import {
  accessToken, closedPort, makeKeys, problem, startGateway, startStandIn,
  type Echo, type Keys, type RunningGateway, type StandIn,
} from './helpers.ts';

initTracing({ serviceName: 'gateway-test' }); // as main.ts does: spans for traced requests, no export
const fan = randomUUID();
let keys: Keys;
let standIns: StandIn[] = [];
let urls: Record<string, string>;
const gateways: RunningGateway[] = [];
let gateway: RunningGateway;

test.before(async () => {
  keys = await makeKeys();
  standIns = await Promise.all(['auth', 'catalog', 'queue', 'booking'].map((name) => startStandIn(name, name === 'auth' ? { jwks: [keys.auth] } : {})));
  const [auth, catalog, queue, booking] = standIns as [StandIn, StandIn, StandIn, StandIn];
  urls = {
    AUTH_URL: auth.url, CATALOG_URL: catalog.url, QUEUE_URL: queue.url, BOOKING_URL: booking.url,
    PAYMENT_URL: `http://127.0.0.1:${await closedPort()}`, // the payment service is down
    QUEUE_JWKS: JSON.stringify(publicJwks([keys.queue])),
  };
  gateway = await startGateway({ ...urls, UPSTREAM_TIMEOUT_MS: '400', WEB_ORIGIN: 'https://tickets.example' });
  gateways.push(gateway);
});

test.after(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await Promise.all(standIns.map((s) => s.server.close()));
});

const bearer = async (userId = fan) => ({ authorization: `Bearer ${await accessToken(keys.authSigner, userId)}` });

test('each prefix reaches its service with path, query, method and request id intact', async () => {
  const headers = await bearer();
  const expectations: [string, string, string][] = [
    ['GET', '/api/v1/users/me', 'auth'], ['GET', '/api/v1/performances?limit=5&cursor=abc', 'catalog'],
    ['POST', `/api/v1/queues/${randomUUID()}/entries`, 'queue'], ['DELETE', `/api/v1/orders/${randomUUID()}`, 'booking'],
    ['GET', '/api/v1/venues/some/new/route', 'catalog'],
  ];
  for (const [method, url, service] of expectations) {
    const res = await fetch(`${gateway.base}${url}`, { method, headers: { ...headers, 'x-request-id': `rid-${service}` } });
    const echo = (await res.json()) as Echo;
    assert.equal([echo.service, echo.method, echo.url, echo.requestId], [service, method, url, `rid-${service}`]);
    assert.is(res.headers.get('x-request-id'), `rid-${service}`);
    assert.is(res.headers.get('x-served-by'), service, 'service headers come back');
  }
});

test('/metrics and /readyz are not on the public port (404), only on the management port', async () => {
  for (const path of ['/metrics', '/readyz']) {
    const res = await fetch(`${gateway.base}${path}`);
    assert.equal([res.status, (await problem(res)).code], [404, 'ROUTE_NOT_FOUND'], path);
  }
  assert.is((await fetch(`${gateway.management}/readyz`)).status, 200);
  assert.match(await (await fetch(`${gateway.management}/metrics`)).text(), /http_server_request_duration_seconds/);
  assert.is((await fetch(`${gateway.management}/api/v1/performances`)).status, 404, 'the management port routes nothing else');
});

test('unknown API routes are 404 problem+json; routes beyond a prefix need a token', async () => {
  const res = await fetch(`${gateway.base}/api/v1/nothing-here`);
  assert.equal([res.status, (await problem(res)).code], [404, 'ROUTE_NOT_FOUND']);
  assert.is((await fetch(`${gateway.base}/api/v1/venues`)).status, 401);
});

test('a service that is down is a quick 503 problem+json; one that hangs, a 503 within the deadline', async () => {
  let started = Date.now();
  const down = await fetch(`${gateway.base}/api/v1/payments/${randomUUID()}`, { headers: await bearer() });
  assert.is(down.status, 503);
  assert.is((await problem(down)).code, 'UPSTREAM_UNAVAILABLE');
  assert.ok(down.headers.get('retry-after'));
  assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  started = Date.now();
  const hang = await fetch(`${gateway.base}/api/v1/orders/hang`, { headers: await bearer() });
  assert.is(hang.status, 503);
  assert.is((await problem(hang)).code, 'UPSTREAM_TIMEOUT');
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
});

test('a traced request reaches the service in the same trace, as a child of the gateway\'s span', async () => {
  const clientTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
  const clientSpan = '00f067aa0ba902b7';
  const res = await fetch(`${gateway.base}/api/v1/orders`, { headers: { ...(await bearer()), traceparent: `00-${clientTrace}-${clientSpan}-01` } });
  const seen = (await res.json()) as Echo;
  const [, traceId, parentSpan] = (seen.traceparent ?? '').split('-');
  assert.is(traceId, clientTrace);
  assert.match(parentSpan ?? '', /^[0-9a-f]{16}$/);
  assert.is.not(parentSpan, clientSpan, "the gateway's own span is the parent");
  const untraced = (await (await fetch(`${gateway.base}/api/v1/orders`, { headers: await bearer() })).json()) as Echo;
  assert.is(untraced.traceparent, null, 'no trace is started for an untraced request unless spans are exported');
});

test('a call that waited past the deadline for a free connection is dropped, not sent late', async () => {
  const narrow = await startGateway({ ...urls, UPSTREAM_CONNECTIONS: '1', UPSTREAM_TIMEOUT_MS: '400' });
  gateways.push(narrow);
  const booking = standIns[3]!;
  const sentBefore = booking.calls.length;
  const started = Date.now();
  const [first, second] = await Promise.all([
    // holds the only connection for about a second, every piece within the deadline
    fetch(`${narrow.base}/api/v1/orders/slow-body`, { headers: await bearer() }).then(async (res) => ({ status: res.status, body: await res.text() })),
    new Promise((resolve) => setTimeout(resolve, 50)).then(async () => fetch(`${narrow.base}/api/v1/orders/queued-${randomUUID()}`, { headers: await bearer() })),
  ]);
  assert.equal(first, { status: 200, body: '.....' });
  assert.equal([second.status, (await problem(second)).code], [503, 'UPSTREAM_TIMEOUT']);
  assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  assert.not.ok(booking.calls.slice(sentBefore).some((call) => call.url.includes('/queued-')), 'the late call never reached the service');
});

test('auth\'s key set unreachable is a 503, not a 401 that would log fans out', async () => {
  const orphan = await startGateway({ ...urls, AUTH_URL: urls.PAYMENT_URL! });
  gateways.push(orphan);
  const res = await fetch(`${orphan.base}/api/v1/users/me`, { headers: await bearer() });
  assert.equal([res.status, (await problem(res)).code], [503, 'TOKEN_KEYS_UNAVAILABLE']);
});

test('rate limits per user and per IP are shared by replicas; polls have their own budget; 429 carries Retry-After', async () => {
  // windows are aligned to the clock: a day-long one is not crossed mid-test; limits under 20 are checked in Redis on every request
  const limits = { RATE_LIMIT_WINDOW_SECONDS: '86400', RATE_LIMIT_PER_USER: '4', RATE_LIMIT_PER_IP: '6', RATE_LIMIT_POLL_PER_USER: '12', RATE_LIMIT_POLL_PER_IP: '100', REDIS_KEY_PREFIX: randomPrefix('gwrl') };
  const [a, b] = [await startGateway({ ...urls, ...limits }), await startGateway({ ...urls, ...limits })];
  gateways.push(a, b);
  const headers = { ...(await bearer(randomUUID())), 'x-forwarded-for': '203.0.113.1' };
  const statuses = [];
  for (let i = 0; i < 5; i++) statuses.push((await fetch(`${(i % 2 ? a : b).base}/api/v1/orders`, { headers })).status);
  assert.equal(statuses, [200, 200, 200, 200, 429], 'the fifth call in the window, across two replicas');
  const limited = await fetch(`${a.base}/api/v1/orders`, { headers });
  assert.is((await problem(limited)).code, 'RATE_LIMITED');
  const retryAfter = Number(limited.headers.get('retry-after'));
  assert.ok(retryAfter > 0 && retryAfter <= 86_400, `Retry-After ${retryAfter}`);

  const poll = `/api/v1/queues/${randomUUID()}/entries/me`;
  for (let i = 0; i < 12; i++) assert.is((await fetch(`${a.base}${poll}`, { headers })).status, 200, `poll ${i + 1}`);
  assert.is((await fetch(`${a.base}${poll}`, { headers })).status, 429);

  const anonymous = { 'x-forwarded-for': '203.0.113.2' };
  const byIp = [];
  for (let i = 0; i < 7; i++) byIp.push((await fetch(`${b.base}/api/v1/performances`, { headers: anonymous })).status);
  assert.equal(byIp, [200, 200, 200, 200, 200, 200, 429]);
  assert.is((await fetch(`${b.base}/api/v1/performances`, { headers: { 'x-forwarded-for': '203.0.113.3' } })).status, 200, 'another address has its own budget');
});

test('with Redis down the rate limiter lets requests through quickly, and the gateway stays Ready', async () => {
  // a limit under 20 reports every request, so this one tries Redis
  const deaf = await startGateway({ ...urls, RATE_LIMIT_PER_USER: '10', RATE_LIMIT_REDIS_TIMEOUT_MS: '200' }, `redis://127.0.0.1:${await closedPort()}`);
  gateways.push(deaf);
  const started = Date.now();
  const res = await fetch(`${deaf.base}/api/v1/orders`, { headers: await bearer() });
  assert.is(res.status, 200);
  assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
  assert.is((await fetch(`${deaf.management}/readyz`)).status, 200, 'a Redis outage must not empty the Service');
  assert.match(await (await fetch(`${deaf.management}/metrics`)).text(), /ticketping_gateway_rate_limiter_errors_total\{service="gateway"\} [1-9]/);
});

test('CORS answers the web origin only; security headers are set', async () => {
  const preflight = (origin: string) => fetch(`${gateway.base}/api/v1/orders`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, x-queue-token' } });
  const allowed = await preflight('https://tickets.example');
  assert.is(allowed.status, 204);
  assert.is(allowed.headers.get('access-control-allow-origin'), 'https://tickets.example');
  assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /x-queue-token/);
  const other = await preflight('https://evil.example');
  assert.is(other.headers.get('access-control-allow-origin'), null);
  const plain = await fetch(`${gateway.base}/api/v1/performances`, { headers: { origin: 'https://tickets.example' } });
  assert.is(plain.headers.get('access-control-allow-origin'), 'https://tickets.example');
  assert.is(plain.headers.get('x-content-type-options'), 'nosniff');
  assert.ok(plain.headers.get('content-security-policy'));
  assert.ok(plain.headers.get('strict-transport-security'));
  // status polls take the lean path: the same steps run there (here refused: no token, yet still CORS-readable)
  const poll = await fetch(`${gateway.base}/api/v1/queues/${randomUUID()}/entries/me`, { headers: { origin: 'https://tickets.example' } });
  assert.equal([poll.status, poll.headers.get('access-control-allow-origin'), poll.headers.get('x-content-type-options')], [401, 'https://tickets.example', 'nosniff']);
});

test('pages: a placeholder until the web app is built, then the app with deep links', async () => {
  const placeholder = await fetch(`${gateway.base}/`, { headers: { accept: 'text/html' } });
  assert.is(placeholder.status, 200);
  assert.match(await placeholder.text(), /TicketPing/);
  const dist = mkdtempSync(path.join(tmpdir(), 'web-dist-'));
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>the app</title>');
  writeFileSync(path.join(dist, 'app.js'), 'export {}');
  mkdirSync(path.join(dist, 'assets'));
  writeFileSync(path.join(dist, 'assets', 'index-3f2a1b.js'), 'export {}');
  const withWeb = await startGateway({ ...urls, WEB_DIST: dist });
  gateways.push(withWeb);
  const deepLink = await fetch(`${withWeb.base}/performances/123`, { headers: { accept: 'text/html' } });
  assert.match(await deepLink.text(), /the app/);
  assert.is(deepLink.headers.get('cache-control'), 'no-cache', 'the page is revalidated after a deploy');
  assert.is((await fetch(`${withWeb.base}/`)).headers.get('cache-control'), 'no-cache');
  assert.match((await fetch(`${withWeb.base}/app.js`)).headers.get('content-type') ?? '', /javascript/);
  assert.match((await fetch(`${withWeb.base}/assets/index-3f2a1b.js`)).headers.get('cache-control') ?? '', /immutable/, 'hashed assets are cached for good');
  assert.is((await fetch(`${withWeb.base}/api/v1/nothing`, { headers: { accept: 'text/html' } })).status, 404);
});

test('the OpenAPI description is served and parses', async () => {
  const res = await fetch(`${gateway.base}/api/v1/openapi.yaml`);
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /yaml/);
  assert.is((parse(await res.text()) as { openapi: string }).openapi, '3.1.0');
});

test('real-user telemetry is accepted and counted by kind', async () => {
  const payload = { meta: { app: { name: 'web' } }, exceptions: [{ type: 'Error', value: 'x' }], measurements: [{}, {}], events: [{ name: 'seat-click' }], logs: [] };
  const res = await fetch(`${gateway.base}/api/v1/rum`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(payload) });
  assert.is(res.status, 202);
  const bad = await fetch(`${gateway.base}/api/v1/rum`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"exceptions": 3}' });
  assert.is(bad.status, 400);
  const metrics = await (await fetch(`${gateway.management}/metrics`)).text();
  assert.match(metrics, /ticketping_faro_events_total\{kind="exception",service="gateway"\} 1/);
  assert.match(metrics, /ticketping_faro_events_total\{kind="measurement",service="gateway"\} 2/);
  assert.match(metrics, /ticketping_faro_events_total\{kind="event",service="gateway"\} 1/);
});

test.run();
