import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMetrics } from './index.ts';

test('each service gets its own registry with default Node metrics and a service label', async () => {
  const a = createMetrics('queue');
  const b = createMetrics('booking', { defaultMetrics: false });
  a.httpRequestDuration.observe({ method: 'GET', route: '/api/v1/queues/:performanceId', status: '200' }, 0.003);
  const text = await a.registry.metrics();
  assert.match(text, /nodejs_eventloop_lag_seconds/);
  assert.match(text, /http_server_request_duration_seconds_bucket\{le="0.005",service="queue",method="GET",route="\/api\/v1\/queues\/:performanceId",status="200"\} 1/);
  assert.not.match(await b.registry.metrics(), /queues/);
});

test.run();
