/**
 * CPU per request of the layers every service shares (express, its res.json, request ids, tracing,
 * request logging, the request histogram) and of the status-poll fast path
 * (`@ticketping/http/fast-path`: a lean route answered with `sendJson`), each variant in its own
 * process under the same keep-alive load. The fast path's own bench: figures in bench/RESULTS.md.
 *   node --conditions=source bench/http/overhead.ts [seconds=4] [connections=32]
 */
import { fork } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { Pool } from 'undici';
import express from 'express';
import { createHttpApp, listen } from '@ticketping/http';
import { leanRoutes, sendJson } from '@ticketping/http/fast-path';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { initTracing } from '@ticketping/telemetry';

const ENTRY = { status: 'WAITING', position: 1234, ahead: 1233, etaSeconds: 90, pollAfterMs: 2000 };
const BODY = JSON.stringify(ENTRY);
const PATH = '/api/v1/queues/p/entries/me';
const ROUTE = '/api/v1/queues/:id/entries/me';
const variants = ['bare', 'express', 'express res.json', 'createHttpApp', 'fast path'] as const;
type Variant = (typeof variants)[number];

async function serve(variant: Variant): Promise<Server> {
  if (variant === 'bare') {
    const server = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(BODY); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return server;
  }
  if (variant === 'express' || variant === 'express res.json') {
    const app = express();
    app.get(ROUTE, variant === 'express' ? (_req, res) => { res.type('json').send(BODY); } : (_req, res) => { res.json(ENTRY); });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    return server;
  }
  initTracing({ serviceName: 'bench' });
  const logger = createLogger({ service: 'bench', level: 'info', destination: new Writable({ write(_c, _e, done) { done(); } }) });
  const app = variant === 'createHttpApp'
    ? createHttpApp({ logger, metrics: createMetrics('bench'), routes: (r) => { r.get(ROUTE, (_req, res) => { res.json(ENTRY); }); } })
    : createHttpApp({ logger, metrics: createMetrics('bench'), routes: () => {}, everyRequest: [leanRoutes([{ method: 'GET', path: ROUTE, handle: async (_req, res) => { sendJson(res, ENTRY); } }])] });
  return (await listen(app, 0)).server;
}

if (process.env.BENCH_VARIANT) {
  const server = await serve(process.env.BENCH_VARIANT as Variant);
  const { port } = server.address() as { port: number };
  let mark = process.cpuUsage();
  process.on('message', (m) => {
    if (m === 'start') mark = process.cpuUsage();
    if (m === 'stop') { const u = process.cpuUsage(mark); process.send!({ cpuMicros: u.user + u.system }); }
  });
  // A clean end (so --cpu-prof writes its profile): close the server and the channel, and the event loop ends.
  process.once('SIGINT', () => {
    server.closeAllConnections();
    server.close();
    process.disconnect();
  });
  process.send!({ port });
} else {
  const [seconds = 4, connections = 32] = process.argv.slice(2).map(Number);
  for (const variant of variants) {
    const child = fork(import.meta.filename, [], { env: { ...process.env, BENCH_VARIANT: variant }, execArgv: ['--conditions=source', ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [])] });
    const port = await new Promise<number>((r) => child.once('message', (m: { port: number }) => r(m.port)));
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections });
    const deadline = Date.now() + 500; // warm-up
    const drive = async (until: () => boolean) => { let n = 0; await Promise.all(Array.from({ length: connections }, async () => { while (!until()) { const r = await pool.request({ path: PATH, method: 'GET' }); await r.body.text(); n++; } })); return n; };
    await drive(() => Date.now() > deadline);
    child.send('start');
    const end = Date.now() + seconds * 1000;
    const started = Date.now();
    const requests = await drive(() => Date.now() > end);
    const elapsed = (Date.now() - started) / 1000;
    child.send('stop');
    const { cpuMicros } = await new Promise<{ cpuMicros: number }>((r) => child.once('message', r as never));
    process.stdout.write(`${variant.padEnd(17)} ${(requests / elapsed).toFixed(0).padStart(6)} req/s  ${(cpuMicros / requests).toFixed(1).padStart(6)} µs CPU per request\n`);
    await pool.close();
    child.kill('SIGINT');
  }
}
