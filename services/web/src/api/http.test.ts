import { createServer, type Server } from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiError, requestJson } from './http.ts';

/** A real HTTP server that answers 503 with Retry-After `busyTimes` times, then 200. */
async function busyServer(busyTimes: number, retryAfter: string | undefined): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    if (hits <= busyTimes) {
      res.writeHead(503, { 'content-type': 'application/problem+json', ...(retryAfter ? { 'retry-after': retryAfter } : {}) });
      res.end(JSON.stringify({ status: 503, code: 'AUTH_BUSY', title: 'Service unavailable' }));
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, hits: () => hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test('a 503 with Retry-After is waited out and sent again when the call allows it', async () => {
  const server = await busyServer(1, '1');
  try {
    const started = Date.now();
    assert.equal(await requestJson(server.url, { method: 'POST', body: {}, retryWhenBusy: 3 }), { ok: true });
    assert.is(server.hits(), 2);
    assert.ok(Date.now() - started >= 1000, 'waited the second the server asked for');
  } finally {
    await server.close();
  }
});

test('without the option, without Retry-After, or past the retries, the 503 reaches the caller', async () => {
  for (const [busy, header, retries] of [[1, '1', 0], [1, undefined, 3], [5, '0', 2]] as const) {
    const server = await busyServer(busy, header);
    try {
      const error = await requestJson(server.url, { retryWhenBusy: retries }).catch((e: unknown) => e);
      assert.ok(error instanceof ApiError);
      assert.equal([error.status, error.code], [503, 'AUTH_BUSY']);
      assert.is(server.hits(), Math.min(busy, header ? retries + 1 : 1));
    } finally {
      await server.close();
    }
  }
});

test.run();
