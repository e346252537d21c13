import { accountsUnavailable } from '../tickets/tickets.errors.ts';

/** Who has an e-mail address: only auth knows (a transfer and a staff grant name people by e-mail). */
export interface AccountDirectory {
  findByEmail(email: string): Promise<{ id: string } | undefined>;
  /** The address to mail an account's tickets to; undefined when the account is gone. */
  findContact(id: string): Promise<{ email: string } | undefined>;
}

/**
 * Asks auth's internal lookup (`POST /internal/v1/users/lookup`, behind the internal token). The
 * address travels in the body, not the query string, so it stays out of access logs. auth
 * unreachable or slow is a 503 with Retry-After: a transfer is retried, never half done.
 */
export function createAuthDirectory({ authUrl, internalToken, timeoutMs }: { authUrl: string; internalToken: string; timeoutMs: number }): AccountDirectory {
  async function post(path: string, body: unknown): Promise<Record<string, unknown> | undefined> {
    let res: Response;
    try {
      res = await fetch(new URL(path, authUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-internal-token': internalToken },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      throw accountsUnavailable();
    }
    if (res.status === 404) return undefined;
    if (!res.ok) throw accountsUnavailable();
    return (await res.json()) as Record<string, unknown>;
  }

  return {
    async findByEmail(email) {
      const body = await post('/internal/v1/users/lookup', { email });
      if (!body) return undefined;
      if (typeof body.id !== 'string') throw accountsUnavailable();
      return { id: body.id };
    },
    async findContact(id) {
      const body = await post('/internal/v1/users/contact', { id });
      if (!body) return undefined;
      if (typeof body.email !== 'string') throw accountsUnavailable();
      return { email: body.email };
    },
  };
}
