import { context, propagation, trace, SpanKind, SpanStatusCode, type Context, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { IncomingMessage, ServerResponse } from 'node:http';

export { context, trace, SpanKind, SpanStatusCode, type Context, type Span };

let provider: NodeTracerProvider | undefined;

export interface TracingConfig {
  serviceName: string;
  /** OTLP/HTTP traces endpoint (Tempo, the OTel collector, Zipkin's OTLP port); unset = no export. */
  otlpEndpoint?: string | undefined;
}

/**
 * Registers the W3C trace-context propagator and a tracer provider once per process. Spans and
 * trace ids always exist (they reach log lines and message headers); they leave the process
 * only when an OTLP endpoint is configured.
 */
export function initTracing({ serviceName, otlpEndpoint }: TracingConfig): void {
  if (provider) return;
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: otlpEndpoint ? [new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpEndpoint }))] : [],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
}

export async function shutdownTracing(): Promise<void> {
  await provider?.shutdown();
  provider = undefined;
}

export function tracer(name: string) {
  return trace.getTracer(name);
}

// Proxy tracers follow whichever provider is registered later, so these can be made once.
const internalTracer = tracer('ticketping');
const httpTracer = tracer('ticketping-http');

/** Trace and span id of the active span, for log lines. */
export function traceFields(): { traceId?: string; spanId?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

/** Writes the active context's `traceparent` (and `tracestate`) into headers of an outgoing call or message. */
export function injectTraceHeaders(headers: Record<string, string> = {}, ctx: Context = context.active()): Record<string, string> {
  propagation.inject(ctx, headers);
  return headers;
}

/** The context carried by incoming headers (HTTP or bus message). */
export function extractTraceContext(headers: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(context.active(), headers, {
    get: (carrier, key) => carrier[key],
    keys: (carrier) => Object.keys(carrier),
  });
}

/** Runs `fn` inside a new span that is a child of `parent`; ends the span and records failures. */
export async function withSpan<T>(name: string, kind: SpanKind, parent: Context, fn: (span: Span) => Promise<T>): Promise<T> {
  const span = internalTracer.startSpan(name, { kind }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Express/connect middleware: one server span per request, continuing the caller's trace, active
 * for everything the request does (logs, outgoing calls, outbox rows).
 */
export function traceRequests() {
  return (req: IncomingMessage & { route?: { path?: string }; baseUrl?: string }, res: ServerResponse, next: () => void) => {
    const parent = extractTraceContext(req.headers);
    const span = httpTracer.startSpan(`${req.method} request`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method ?? '' } }, parent);
    res.once('finish', () => {
      const route = req.route?.path ? `${req.baseUrl ?? ''}${String(req.route.path)}` : undefined;
      if (route) {
        span.updateName(`${req.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
