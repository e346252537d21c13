import { test } from 'uvu';
import * as assert from 'uvu/assert';
import express, { type RequestHandler } from 'express';
import { listen } from '../index.ts';
import { precomputedHeaders } from './precomputed-headers.ts';

async function headersFrom(step: RequestHandler): Promise<Record<string, string>> {
  const app = express();
  app.disable('x-powered-by');
  app.use(step);
  app.get('/', (_req, res) => { res.end('ok'); });
  const server = await listen(app, 0);
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/`);
    const out: Record<string, string> = {};
    res.headers.forEach((value, name) => { if (!['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name)) out[name] = value; });
    return out;
  } finally {
    await server.close();
  }
}

/** Sets its headers the way helmet does: a policy string built on every call. */
const securityLike: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'"].join(';'));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.removeHeader('X-Powered-By');
  next();
};

test('sets exactly the headers the middleware sets on its own', async () => {
  const direct = await headersFrom(securityLike);
  assert.equal(await headersFrom(precomputedHeaders(securityLike)), direct);
  assert.equal(direct, { 'content-security-policy': "default-src 'self';script-src 'self' 'wasm-unsafe-eval'", 'x-content-type-options': 'nosniff' });
});

test('a header removed after being set is not sent', async () => {
  const step: RequestHandler = (_req, res, next) => { res.setHeader('x-a', '1'); res.setHeader('x-b', '2'); res.removeHeader('x-a'); next(); };
  assert.equal(await headersFrom(precomputedHeaders(step)), { 'x-b': '2' });
});

test('a middleware that does not call next at once is refused at start', () => {
  assert.throws(() => precomputedHeaders((_req, _res, next) => { setImmediate(next); }), /did not call next synchronously/);
});

test.run();
