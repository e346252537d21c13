import type { Router } from 'express';
import express from 'express';
import { z } from 'zod';
import { validate } from '@ticketping/http';
import { client, type ServiceMetrics } from '@ticketping/metrics';

/** A Grafana Faro payload: only the item lists are read; the rest passes unchecked. */
const faroPayload = z.object({
  exceptions: z.array(z.unknown()).optional(),
  measurements: z.array(z.unknown()).optional(),
  events: z.array(z.unknown()).optional(),
  logs: z.array(z.unknown()).optional(),
});

const KINDS = { exceptions: 'exception', measurements: 'measurement', events: 'event', logs: 'log' } as const;

/**
 * `POST /api/v1/rum`: real-user telemetry from the web pages (Faro's fetch transport). Counted in
 * `ticketping_faro_events_total{kind}`; answered 202 so the page never waits on it.
 * Browsers may send it as text/plain (sendBeacon), so any content type is parsed as JSON.
 */
export function mountRum(router: Router, metrics: ServiceMetrics, limitBytes: number, guard: express.RequestHandler[]): void {
  const received = new client.Counter({ name: 'ticketping_faro_events_total', help: 'Real-user telemetry items received from the web pages', labelNames: ['kind'] as const, registers: [metrics.registry] });
  router.post('/api/v1/rum', ...guard, express.json({ limit: limitBytes, type: () => true }), (req, res) => {
    const payload = validate.body(faroPayload, req);
    for (const [field, kind] of Object.entries(KINDS)) {
      const items = payload[field as keyof typeof KINDS]?.length ?? 0;
      if (items) received.inc({ kind }, items);
    }
    res.status(202).end();
  });
}
