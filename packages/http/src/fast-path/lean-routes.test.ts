import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { ConflictError, createHttpApp, listen, type RunningServer } from '../index.ts';
import { leanRoutes, sendJson } from './index.ts';

const quiet = new Writable({ write(_c, _e, done) { done(); } });
const routed: string[] = [];
const app = createHttpApp({
  logger: createLogger({ service: 'lean-test', destination: quiet }),
  metrics: createMetrics('lean-test', { defaultMetrics: false }),
  everyRequest: [
    (req, res, next) => {
      res.setHeader('x-every-request', 'seen');
      if (req.headers['x-answer-early'] === undefined) next();
      else res.status(418).end();
    },
    leanRoutes([{
      method: 'GET',
      path: '/polls/:pollId/me',
      handle: async (req, res) => {
        if (req.params.pollId === 'taken') throw new ConflictError('SEAT_UNAVAILABLE', 'Taken');
        sendJson(res, { id: req.params.pollId, requestId: req.id });
      },
    }]),
  ],
  routes: (r) => {
    r.use((req, _res, next) => { routed.push(req.path); next(); });
    r.get('/items/:itemId', (req, res) => { res.json({ id: req.params.itemId }); });
  },
});
let server: RunningServer;
let base = '';
let managementServer: RunningServer;

test.before(async () => {
  server = await listen(app, 0);
  base = `http://127.0.0.1:${server.port}`;
  managementServer = await listen(app.management, 0);
});
test.after(async () => { await server.close(); await managementServer.close(); });

test('a lean route is answered before the router, with the request id, the steps before it and params', async () => {
  routed.length = 0;
  const ok = await fetch(`${base}/POLLS/a%20b/me/?x=1`, { headers: { 'x-request-id': 'lean-1' } });
  assert.equal([ok.status, ok.headers.get('x-request-id'), ok.headers.get('x-every-request')], [200, 'lean-1', 'seen']);
  assert.equal(await ok.json(), { id: 'a b', requestId: 'lean-1' });
  assert.equal(routed, [], 'the router never saw it');
  const stopped = await fetch(`${base}/polls/1/me`, { headers: { 'x-answer-early': '1' } });
  assert.is(stopped.status, 418, 'an earlier step still answers first');
});

test('other requests pass on to the router untouched', async () => {
  routed.length = 0;
  const res = await fetch(`${base}/items/7`);
  assert.equal(await res.json(), { id: '7' });
  const post = await fetch(`${base}/polls/1/me`, { method: 'POST' });
  assert.is(post.status, 404);
  assert.equal(routed, ['/items/7', '/polls/1/me']);
});

test('errors are the app\'s problem+json: a thrown AppError, and a malformed parameter as 400', async () => {
  const failed = await fetch(`${base}/polls/taken/me`);
  assert.equal([failed.status, failed.headers.get('content-type'), ((await failed.json()) as { code: string }).code], [409, 'application/problem+json; charset=utf-8', 'SEAT_UNAVAILABLE']);
  const malformed = await fetch(`${base}/polls/%E0%A4%A/me`);
  assert.equal([malformed.status, ((await malformed.json()) as { status: number }).status], [400, 400]);
});

test('metrics label a lean request by its route template', async () => {
  await fetch(`${base}/polls/42/me`);
  const text = await (await fetch(`http://127.0.0.1:${managementServer.port}/metrics`)).text();
  assert.match(text, /method="GET",route="\/polls\/:pollId\/me",status="200"/);
  assert.match(text, /method="GET",route="\/polls\/:pollId\/me",status="409"/);
  assert.not.match(text, /route="\/polls\/42\/me"/);
});

test('a route template with anything but literal and :name segments is refused at start', () => {
  assert.throws(() => leanRoutes([{ method: 'GET', path: '/a/*rest', handle: async () => {} }]), /only literal and :name segments/);
});

test.run();
