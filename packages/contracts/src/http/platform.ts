import { z } from 'zod';

/** A Grafana Faro payload from the web pages; only counted, so any extra member is kept. */
export const FaroPayload = z
  .looseObject({
    meta: z.looseObject({}),
    exceptions: z.array(z.looseObject({})),
    measurements: z.array(z.looseObject({})),
    events: z.array(z.looseObject({})),
    logs: z.array(z.looseObject({})),
  })
  .partial()
  .meta({ id: 'FaroPayload' });

/** docs/openapi.yaml itself, as YAML text. */
export const OpenApiText = z.string();

/** `POST /api/v1/admin/dead-letters/redrive`: which dead letters go back on their topic. */
export const RedriveRequest = z
  .strictObject({
    topic: z
      .string()
      .regex(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/, 'a topic name such as payment.payments')
      .refine((t) => !t.endsWith('.dlq'), 'name the original topic, not its .dlq')
      .meta({ description: 'The original topic, not its `.dlq`', examples: ['payment.payments'] }),
    since: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
    group: z.string().min(1).max(200).optional().meta({ examples: ['booking'] }),
    dryRun: z.boolean().default(false),
  })
  .refine((b) => !b.since || !b.until || Date.parse(b.since) < Date.parse(b.until), { message: 'since must be before until', path: ['since'] });

export const Redrive = z.object({
  topic: z.string(),
  scanned: z.number().int().meta({ description: 'Dead letters read' }),
  redriven: z.number().int().meta({ description: 'Put back on the topic' }),
  eventIds: z.array(z.uuid()).meta({ description: 'The first 1000 redriven' }),
  dryRun: z.boolean(),
});
