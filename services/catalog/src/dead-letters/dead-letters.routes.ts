import type { Router } from 'express';
import { z } from 'zod';
import type { RedriveOptions, RedriveResult } from '@ticketping/bus';
import { AppError, ServiceUnavailableError, requireAdmin, validate } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';

export type Redrive = (options: RedriveOptions) => Promise<RedriveResult>;

const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const redriveBody = z
  .object({
    /** The original topic (`payment.payments`), not its `.dlq`. */
    topic: z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/, 'a topic name such as payment.payments').refine((t) => !t.endsWith('.dlq'), 'name the original topic, not its .dlq'),
    since: instant.optional(),
    until: instant.optional(),
    group: z.string().min(1).max(200).optional(),
    dryRun: z.boolean().default(false),
  })
  .strict()
  .refine((b) => !b.since || !b.until || b.since < b.until, { message: 'since must be before until', path: ['since'] });

/**
 * Platform administration that needs no service of its own: putting dead letters back on their
 * topic after the cause was fixed (docs/operations.md § Redrive dead letters). Catalog hosts it
 * because it already serves the admin API; any service's bus reaches every topic.
 */
export function deadLetterRoutes(router: Router, { redrive, logger }: { redrive: Redrive | undefined; logger: Logger }): void {
  router.post('/api/v1/admin/dead-letters/redrive', async (req, res) => {
    const admin = requireAdmin(req);
    const body = validate.body(redriveBody, req);
    if (!redrive) throw new AppError(501, 'REDRIVE_UNSUPPORTED', 'Not implemented', { detail: 'This bus keeps no dead letters to redrive' });
    let result: RedriveResult;
    try {
      result = await redrive({ topic: body.topic, since: body.since, until: body.until, group: body.group, dryRun: body.dryRun });
    } catch (error) {
      // The broker is unreachable or failed mid-way; the redrive is idempotent, so trying again is the answer.
      logger.warn({ err: error, topic: body.topic }, 'dead-letter redrive failed');
      throw new ServiceUnavailableError('BUS_UNAVAILABLE', 'The event bus could not complete the redrive; it is safe to try again', 5);
    }
    logger.info({ adminId: admin.id, ...body, scanned: result.scanned, redriven: result.redriven }, 'dead letters redriven by an administrator');
    res.json(result);
  });
}
