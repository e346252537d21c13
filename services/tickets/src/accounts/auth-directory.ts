import { accountsUnavailable } from '../tickets/tickets.errors.ts';

/** Who has an e-mail address: only auth knows (a transfer and a staff grant name people by e-mail). */
export interface AccountDirectory {
  findByEmail(email: string): Promise<{ id: string } | undefined>;
}

/**
 * Asks auth's internal lookup (`POST /internal/v1/users/lookup`, behind the internal token). The
 * address travels in the body, not the query string, so it stays out of access logs. auth
 * unreachable or slow is a 503 with Retry-After: a transfer is retried, never half done.
 */
export function createAuthDirectory({ authUrl, internalToken, timeoutMs }: { authUrl: string; internalToken: string; timeoutMs: number }): AccountDirectory {
  return {
    async findByEmail(email) {
      let res: Response;
      try {
        res = await fetch(new URL('/internal/v1/users/lookup', authUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-internal-token': internalToken },
          body: JSON.stringify({ email }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch {
        throw accountsUnavailable();
      }
      if (res.status === 404) return undefined;
      if (!res.ok) throw accountsUnavailable();
      const body = (await res.json()) as { id?: unknown };
      if (typeof body.id !== 'string') throw accountsUnavailable();
      return { id: body.id };
    },
  };
}
