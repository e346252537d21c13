import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SpanKind, context, extractTraceContext, initTracing, injectTraceHeaders, trace, traceFields, withSpan } from './index.ts';

initTracing({ serviceName: 'telemetry-test' });

test('a span started from incoming headers continues the caller trace and is active inside', async () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const parent = extractTraceContext({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
  await withSpan('handle', SpanKind.CONSUMER, parent, async () => {
    assert.is(traceFields().traceId, traceId);
    const outgoing = injectTraceHeaders();
    assert.match(outgoing.traceparent ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  });
});

test('no active span gives no trace fields; a new root span gets fresh ids', async () => {
  assert.equal(traceFields(), {});
  await withSpan('root', SpanKind.INTERNAL, context.active(), async (span) => {
    assert.match(traceFields().traceId ?? '', /^[0-9a-f]{32}$/);
    assert.is(trace.getActiveSpan(), span);
  });
});

test('failures are rethrown after the span records them', async () => {
  try {
    await withSpan('fail', SpanKind.INTERNAL, context.active(), async () => { throw new Error('boom'); });
    assert.unreachable();
  } catch (error) {
    assert.is((error as Error).message, 'boom');
  }
});

test.run();
