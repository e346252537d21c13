import type { Router } from 'express';
import type { RedriveOptions, RedriveResult } from '@ticketping/bus';
import { RedriveRequest } from '@ticketping/contracts/http';
import { AppError, ServiceUnavailableError, requireAdmin, validate } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';

export type Redrive = (options: RedriveOptions) => Promise<RedriveResult>;

/** The contract's body (packages/contracts RedriveRequest), with its instants as dates. */
export const redriveBody = RedriveRequest.transform((b) => ({
  ...b,
  since: b.since === undefined ? undefined : new Date(b.since),
  until: b.until === undefined ? undefined : new Date(b.until),
}));

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
