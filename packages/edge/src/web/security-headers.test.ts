import { test } from 'uvu';
import * as assert from 'uvu/assert';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import { listen } from '@ticketping/http';
import { WEB_SECURITY, securityHeaders } from './security-headers.ts';

async function headersFrom(step: RequestHandler): Promise<Record<string, string>> {
  const app = express();
  app.disable('x-powered-by');
  app.use(step);
  app.get('/', (_req, res) => { res.end('ok'); });
  const server = await listen(app, 0);
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/`);
    const out: Record<string, string> = {};
    res.headers.forEach((value, name) => { if (!['date', 'connection', 'keep-alive', 'content-length'].includes(name)) out[name] = value; });
    return out;
  } finally {
    await server.close();
  }
}

test('the headers worked out once are exactly those helmet sets on each request', async () => {
  const direct = await headersFrom(helmet(WEB_SECURITY));
  assert.equal(await headersFrom(securityHeaders()), direct);
  assert.match(direct['content-security-policy'] ?? '', /script-src 'self' 'wasm-unsafe-eval'/);
  assert.is(direct['x-content-type-options'], 'nosniff');
});

test.run();
