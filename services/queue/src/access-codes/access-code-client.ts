import { AccessCodeGrant, type AccessCodeLane } from '@ticketping/contracts/http';
import { isErrorCode, type ErrorCode } from '@ticketping/contracts/errors';
import { AppError, ServiceUnavailableError } from '@ticketping/http';

/**
 * Presale access codes live in catalog's Postgres (uses must survive a Redis wipe, and the admin
 * reads who used which). Only an entry that carries a code calls it: polls and plain entries
 * never do, so the hot paths stay one Redis script.
 */
export interface AccessCodes {
  /** Counts the fan's use (once per fan) and says which lane it opens; throws the 4xx catalog gave. */
  redeem(performanceId: string, code: string, userId: string): Promise<{ codeId: string; lane: AccessCodeLane; firstUse: boolean }>;
  /** Gives back a use the waiting room could not honour. */
  release(codeId: string, userId: string): Promise<void>;
}

const RETRY_AFTER_SECONDS = 5;
/** The refusals a fan should see as catalog worded them. */
const PASSED_ON = new Set<ErrorCode>(['ACCESS_CODE_INVALID', 'ACCESS_CODE_USED_UP', 'ACCESS_CODE_OUTSIDE_WINDOW', 'VALIDATION_FAILED']);

const unavailable = () => new ServiceUnavailableError('ACCESS_CODES_UNAVAILABLE', 'Access codes cannot be checked right now; try again shortly', RETRY_AFTER_SECONDS);

export function createAccessCodeClient(options: { baseUrl: string; internalToken: string; timeoutMs?: number }): AccessCodes {
  const timeoutMs = options.timeoutMs ?? 3000;

  async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    try {
      const res = await fetch(new URL(path, options.baseUrl), {
        method: 'POST',
        headers: { 'x-internal-token': options.internalToken, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    } catch {
      throw unavailable();
    }
  }

  return {
    async redeem(performanceId, code, userId) {
      const res = await post(`/internal/v1/performances/${encodeURIComponent(performanceId)}/access-codes/redeem`, { code, userId });
      if (res.status === 200) return AccessCodeGrant.parse(res.body);
      const problem = res.body;
      if (isErrorCode(problem.code) && PASSED_ON.has(problem.code)) {
        const { type: _type, title, status: _status, detail, code: _code, instance: _instance, requestId: _requestId, ...extra } = problem;
        throw new AppError(res.status, problem.code, String(title), { detail: String(detail), extra });
      }
      throw unavailable();
    },

    async release(codeId, userId) {
      const res = await post('/internal/v1/access-codes/release', { codeId, userId });
      if (res.status !== 200) throw unavailable();
    },
  };
}
