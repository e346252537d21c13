import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { initTracing, shutdownTracing, traceFields } from '@ticketping/telemetry';
import { createHttpApp, listen, type RunningServer } from './index.ts';

initTracing({ serviceName: 'http-tracing-test' });
const quiet = new Writable({ write(_c, _e, done) { done(); } });
const servers: RunningServer[] = [];

async function start(startTraces: boolean | undefined): Promise<string> {
  const app = createHttpApp({
    logger: createLogger({ service: 'http-tracing-test', destination: quiet }),
    metrics: createMetrics('http-tracing-test', { defaultMetrics: false }),
    ...(startTraces === undefined ? {} : { startTraces }),
    routes: (r) => { r.get('/trace', (_req, res) => { res.json(traceFields()); }); },
  });
  const server = await listen(app, 0);
  servers.push(server);
  return `http://127.0.0.1:${server.port}/trace`;
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const traceparent = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
const traceIdOf = async (url: string, headers: Record<string, string> = {}) => ((await (await fetch(url, { headers })).json()) as { traceId?: string }).traceId;

test.after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await shutdownTracing();
});

test('by default every request is traced, continuing a caller trace when one arrives', async () => {
  const url = await start(undefined);
  assert.match((await traceIdOf(url)) ?? '', /^[0-9a-f]{32}$/);
  assert.is(await traceIdOf(url, { traceparent }), TRACE_ID);
});

test('with startTraces off only requests that carry a trace are traced', async () => {
  const url = await start(false);
  assert.is(await traceIdOf(url), undefined);
  assert.is(await traceIdOf(url, { traceparent }), TRACE_ID);
});

test.run();
