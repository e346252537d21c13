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
