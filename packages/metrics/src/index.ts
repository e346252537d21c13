import client from 'prom-client';

export { client };
export type { Registry } from 'prom-client';

export interface ServiceMetrics {
  registry: client.Registry;
  httpRequestDuration: client.Histogram<'method' | 'route' | 'status'>;
}

/**
 * One registry per service (never the global one, so several services can share a process in
 * standalone mode) with Node's default metrics and the HTTP request histogram. `route` is the
 * matched route template, never the raw path, so label cardinality stays bounded.
 */
export function createMetrics(service: string, options: { defaultMetrics?: boolean } = {}): ServiceMetrics {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  if (options.defaultMetrics ?? true) client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const httpRequestDuration = new client.Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'HTTP requests served, by route template, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return { registry, httpRequestDuration };
}
