import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { ConflictError, createHttpApp, listen, requireInternalCaller, caller, validate, type RunningServer } from './index.ts';

/** Log lines the app wrote (JSON), kept so tests can look at them. */
const logLines: Record<string, unknown>[] = [];
const quiet = new Writable({ write(chunk: Buffer, _e, done) { logLines.push(JSON.parse(chunk.toString())); done(); } });
let dbUp = true;
const metrics = createMetrics('http-test', { defaultMetrics: false });
const app = createHttpApp({
  logger: createLogger({ service: 'http-test', destination: quiet }),
  metrics,
  readiness: { db: async () => { if (!dbUp) throw new Error('connection refused'); } },
  bodyLimit: '1kb',
  // a step every request passes: it marks the answer, and answers 418 by itself when asked to
  everyRequest: [(req, res, next) => {
    res.setHeader('x-every-request', 'seen');
    if (req.headers['x-answer-early'] === undefined) next();
    else res.status(418).end();
  }],
  routes: (r) => {
    r.get('/typed', (_req, res) => { res.type('application/vnd.ticketping+json').json({ typed: true }); });
    r.get('/nothing', (_req, res) => { res.json(undefined); });
    r.get('/items/:itemId', (req, res) => { res.json({ id: req.params.itemId }); });
    r.post('/items', (req, res) => {
      const body = validate.body(z.object({ name: z.string().min(1), count: z.number().int().positive() }), req);
      res.status(201).json(body);
    });
    r.post('/conflict', () => { throw new ConflictError('SEAT_UNAVAILABLE', 'Seat A-1 is taken', { extra: { seatIds: ['a1'] } }); });
    r.get('/boom', () => { throw new Error('secret internals'); });
    r.get('/busy', () => { throw Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' }); });
    r.get('/slow', async (_req, res) => { await new Promise((r2) => setTimeout(r2, 300)); res.json({ done: true }); });
    r.get('/private', requireInternalCaller('s3cret'), (req, res) => { res.json(caller(req)); });
  },
});
let server: RunningServer;
let managementServer: RunningServer;
let base = '';
let management = '';

test.before(async () => {
  server = await listen(app, 0);
  base = `http://127.0.0.1:${server.port}`;
  managementServer = await listen(app.management, 0);
  management = `http://127.0.0.1:${managementServer.port}`;
});
test.after(async () => { await server.close(); await managementServer.close(); });

const problem = async (res: Response) => {
  assert.is(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  return (await res.json()) as Record<string, unknown>;
};

test('echoes a given x-request-id and makes one otherwise', async () => {
  const echoed = await fetch(`${base}/items/1`, { headers: { 'x-request-id': 'abc-123' } });
  assert.is(echoed.headers.get('x-request-id'), 'abc-123');
  const made = await fetch(`${base}/items/1`, { headers: { 'x-request-id': 'bad id with spaces' } });
  assert.match(made.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
});

test('JSON answers: typed and measured, HEAD without a body; a type the route set is kept', async () => {
  const res = await fetch(`${base}/items/%C3%A9t%C3%A9`);
  const text = await res.text();
  assert.equal([res.headers.get('content-type'), res.headers.get('content-length'), JSON.parse(text)],
    ['application/json; charset=utf-8', String(Buffer.byteLength(text)), { id: 'été' }]);
  const head = await fetch(`${base}/items/1`, { method: 'HEAD' });
  assert.equal([head.status, head.headers.get('content-type'), await head.text()], [200, 'application/json; charset=utf-8', '']);
  const typed = await fetch(`${base}/typed`);
  assert.equal([typed.headers.get('content-type'), await typed.json()], ['application/vnd.ticketping+json; charset=utf-8', { typed: true }]);
  const nothing = await fetch(`${base}/nothing`);
  assert.equal([nothing.status, await nothing.text()], [200, '']);
});

test('every request passes the everyRequest steps, which may answer by themselves', async () => {
  for (const path of ['/items/1', '/nope']) {
    const passed = await fetch(`${base}${path}`);
    assert.is(passed.headers.get('x-every-request'), 'seen', path);
    const stopped = await fetch(`${base}${path}`, { headers: { 'x-answer-early': '1' } });
    assert.equal([stopped.status, stopped.headers.get('x-every-request')], [418, 'seen'], path);
  }
});

test('plain express: the app adds nothing to the request and response prototypes', () => {
  assert.equal(Object.getOwnPropertyNames(app.request), ['app']);
  assert.equal(Object.getOwnPropertyNames(app.response), ['app']);
});

test('zod failures are 400 problem+json naming the fields', async () => {
  const res = await fetch(`${base}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: '', count: 1.5 }) });
  assert.is(res.status, 400);
  const body = await problem(res);
  assert.is(body.code, 'VALIDATION_FAILED');
  assert.match(String(body.detail), /body\.name/);
  assert.match(String(body.detail), /body\.count/);
  assert.ok(body.requestId);
});

test('malformed JSON is 400, an oversized body 413, both problem+json', async () => {
  const bad = await fetch(`${base}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' });
  assert.is(bad.status, 400);
  assert.is((await problem(bad)).code, 'MALFORMED_JSON');
  const big = await fetch(`${base}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(5000), count: 1 }) });
  assert.is(big.status, 413);
  assert.is((await problem(big)).code, 'PAYLOAD_TOO_LARGE');
});

test('AppErrors keep their status, code and extras; unknown errors are a 500 that leaks nothing', async () => {
  const conflict = await fetch(`${base}/conflict`, { method: 'POST' });
  assert.is(conflict.status, 409);
  const body = await problem(conflict);
  assert.equal([body.code, body.seatIds, body.type], ['SEAT_UNAVAILABLE', ['a1'], 'https://ticketping.dev/problems/seat-unavailable']);
  const boom = await fetch(`${base}/boom`, { headers: { 'x-request-id': 'boom-1' } });
  assert.is(boom.status, 500);
  assert.not.match(JSON.stringify(await problem(boom)), /secret internals/);
  const logged = logLines.filter((line) => line.requestId === 'boom-1').map((line) => line.msg);
  assert.equal(logged, ['unexpected error', 'request finished'], 'the error and the request, each with the request id');
});

test('an exhausted connection pool is a 503 with Retry-After, not a 500', async () => {
  const res = await fetch(`${base}/busy`);
  assert.is(res.status, 503);
  assert.is(res.headers.get('retry-after'), '2');
  assert.is((await problem(res)).code, 'SERVICE_BUSY');
});

test('unknown routes are 404 problem+json', async () => {
  const res = await fetch(`${base}/nope/here`);
  assert.is(res.status, 404);
  assert.is((await problem(res)).code, 'ROUTE_NOT_FOUND');
});

test('readyz (management port) reflects registered dependencies; healthz only the process', async () => {
  assert.is((await fetch(`${management}/readyz`)).status, 200);
  dbUp = false;
  const down = await fetch(`${management}/readyz`);
  assert.is(down.status, 503);
  assert.equal(((await down.json()) as { checks: Record<string, string> }).checks, { db: 'connection refused' });
  assert.is((await fetch(`${management}/healthz`)).status, 200);
  assert.is((await fetch(`${base}/healthz`)).status, 200);
  dbUp = true;
});

test('the public port answers 404 problem+json for /readyz and /metrics; the management port serves nothing else', async () => {
  for (const path of ['/readyz', '/metrics']) {
    const res = await fetch(`${base}${path}`);
    assert.equal([res.status, (await problem(res)).code], [404, 'ROUTE_NOT_FOUND'], path);
  }
  const other = await fetch(`${management}/items/1`);
  assert.equal([other.status, (await problem(other)).code], [404, 'ROUTE_NOT_FOUND']);
});

test('a process without public routes can keep them on its one port', async () => {
  const operator = createHttpApp({ logger: createLogger({ service: 'operator-test', destination: quiet }), metrics: createMetrics('operator-test', { defaultMetrics: false }), routes: () => undefined, operationalRoutesOnMainPort: true });
  const own = await listen(operator, 0);
  try {
    assert.is((await fetch(`http://127.0.0.1:${own.port}/readyz`)).status, 200);
    assert.match(await (await fetch(`http://127.0.0.1:${own.port}/metrics`)).text(), /# HELP/);
  } finally {
    await own.close();
  }
});

test('metrics label requests by route template, never by raw path', async () => {
  await fetch(`${base}/items/42`);
  await fetch(`${base}/items/43`);
  const text = await (await fetch(`${management}/metrics`)).text();
  assert.match(text, /route="\/items\/:itemId",status="200"/);
  assert.not.match(text, /route="\/items\/42"/);
  assert.match(text, /route="unmatched",status="404"/);
});

test('internal routes need the gateway credential; identity comes from its headers', async () => {
  const outside = await fetch(`${base}/private`, { headers: { 'x-user-id': 'u1' } });
  assert.is(outside.status, 401);
  assert.is((await problem(outside)).code, 'INTERNAL_ONLY');
  const inside = await fetch(`${base}/private`, { headers: { 'x-user-id': 'u1', 'x-user-role': 'ADMIN', 'x-internal-token': 's3cret' } });
  assert.equal(await inside.json(), { id: 'u1', role: 'ADMIN' });
  const verified = await fetch(`${base}/private`, { headers: { 'x-user-id': 'u1', 'x-user-email-verified': '1', 'x-internal-token': 's3cret' } });
  assert.equal(await verified.json(), { id: 'u1', role: 'USER', emailVerified: true });
});

test('close drains in-flight requests before resolving', async () => {
  const own = await listen(app, 0);
  const inflight = fetch(`http://127.0.0.1:${own.port}/slow`).then((r) => r.json());
  await new Promise((r) => setTimeout(r, 50));
  const closing = own.close();
  assert.equal(await inflight, { done: true });
  await closing;
  try {
    await fetch(`http://127.0.0.1:${own.port}/healthz`);
    assert.unreachable('closed server answered');
  } catch (error) {
    assert.instance(error, TypeError);
  }
});

test.run();
