import { test } from 'uvu';
import * as assert from 'uvu/assert';
import express from 'express';
import { listen, type RunningServer } from '../index.ts';
import { sendJson } from './send-json.ts';

const app = express();
app.get('/entry', (_req, res) => { res.setHeader('cache-control', 'no-store'); sendJson(res, { status: 'WAITING', name: 'été' }); });
app.get('/express', (_req, res) => { res.setHeader('cache-control', 'no-store'); res.json({ status: 'WAITING', name: 'été' }); });
app.get('/nothing', (_req, res) => { sendJson(res, undefined); });
let server: RunningServer;
let base = '';
test.before(async () => {
  server = await listen(app, 0);
  base = `http://127.0.0.1:${server.port}`;
});
test.after(async () => { await server.close(); });

const seen = async (res: Response) => [res.status, res.headers.get('content-type'), res.headers.get('content-length'), res.headers.get('cache-control'), await res.text()];

test('the same answer as express\'s res.json: type with charset, length in bytes, the JSON', async () => {
  const fast = await seen(await fetch(`${base}/entry`));
  const plain = await seen(await fetch(`${base}/express`));
  assert.equal(fast, plain);
  assert.equal(fast.slice(0, 3), [200, 'application/json; charset=utf-8', String(Buffer.byteLength('{"status":"WAITING","name":"été"}'))]);
});

test('HEAD gets the headers without the body', async () => {
  const head = await fetch(`${base}/entry`, { method: 'HEAD' });
  assert.equal([head.status, head.headers.get('content-type'), await head.text()], [200, 'application/json; charset=utf-8', '']);
});

test('a body JSON cannot express is an empty answer, as with res.json', async () => {
  const res = await fetch(`${base}/nothing`);
  assert.equal([res.status, await res.text()], [200, '']);
});

test.run();
