import { BadGatewayError, IDENTITY_HEADERS } from '@ticketping/http';
import type { GatewayConfig } from '../config.ts';
import { createJwksVerifier } from '@ticketping/edge';
import type { Upstreams } from '../proxy/upstreams.ts';
import { requireAdmission } from './require-admission.ts';
import { createScheduleDirectory } from './schedule-directory.ts';

/** The admission step of booking writes: the queue's key set, and each schedule's performance from catalog. */
export function createAdmissionCheck(config: GatewayConfig, upstreams: Upstreams) {
  const internal = { [IDENTITY_HEADERS.internalToken]: config.INTERNAL_TOKEN };
  const queueTokens = createJwksVerifier({
    issuer: config.QUEUE_TOKEN_ISSUER,
    jwks: config.QUEUE_JWKS ?? new URL(config.QUEUE_JWKS_URL ?? `${config.QUEUE_URL}/.well-known/jwks.json`),
    fetchHeaders: internal,
  });
  const schedules = createScheduleDirectory(async (scheduleId) => {
    const { status, body } = await upstreams.requestJson('catalog', { method: 'GET', path: `/api/v1/schedules/${encodeURIComponent(scheduleId)}`, headers: internal });
    if (status === 404 || status === 400) return undefined;
    const performanceId = (body as { performanceId?: unknown } | undefined)?.performanceId;
    if (status !== 200 || typeof performanceId !== 'string') throw new BadGatewayError('UPSTREAM_FAILED', 'The catalog service failed to answer');
    return performanceId;
  });
  return requireAdmission(queueTokens, schedules);
}
