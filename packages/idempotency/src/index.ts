import { createHash, createHmac } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Knex } from '@ticketping/db';
import { LIMITS } from '@ticketping/contracts/limits';
import { AppError, BadRequestError, ConflictError, caller, problemOf, toAppError } from '@ticketping/http';

/**
 * `Idempotency-Key` for write routes (the pretix model): the same fan sending the same key gets
 * the stored response for 24 hours; while the first request is still running a duplicate gets
 * 409; the same key with a different request is 422. Only answers the same request will always
 * get are stored: successes and rejected input (400, 413, 422). Auth failures (401, 403: a retry
 * may carry a fresh token), 404 (the order or schedule may arrive by event a moment later),
 * conflicts (409), throttling (429) and server errors are not, so a retry is answered afresh.
 */
export interface RouteResult { status: number; body: unknown }

const KEY_FORMAT = new RegExp(`^[\\x21-\\x7e]{1,${LIMITS.idempotencyKeyLength}}$`);
const RETENTION = '24 hours';
/** A request that started this long ago and never finished died with its process; its key is free again. */
const ABANDONED_AFTER = '60 seconds';
const NOT_STORED = new Set([401, 403, 404, 409, 429]);

type Claim = { kind: 'claimed' } | { kind: 'replay'; response: RouteResult } | { kind: 'in-flight' } | { kind: 'mismatch' };

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` are the same request. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, sort(x)]));
    return v;
  };
  return JSON.stringify(sort(value ?? null));
}

/**
 * What a key is bound to. With `key`, a keyed HMAC: a body may carry a card number, and a plain
 * hash of one is reversed by trying every number that passes Luhn under a known prefix, so anyone
 * who reads the table (or a backup) must not be able to recompute it.
 */
export function requestFingerprint(req: Pick<Request, 'method' | 'path' | 'body'>, key?: string): string {
  const text = `${req.method} ${req.path}\n${canonicalJson(req.body)}`;
  return (key === undefined ? createHash('sha256') : createHmac('sha256', key)).update(text).digest('hex');
}

export interface IdempotencyOptions {
  /** Secret for the keyed fingerprint; needed where bodies carry secrets (payments). */
  fingerprintKey?: string;
}

export function createIdempotency(db: Knex, { fingerprintKey }: IdempotencyOptions = {}) {
  async function claim(userId: string, key: string, fingerprint: string): Promise<Claim> {
    const inserted = await db.raw(
      `insert into idempotency_keys (user_id, key, fingerprint, locked_at, expires_at)
       values (?, ?, ?, now(), now() + interval '${RETENTION}')
       on conflict (user_id, key) do update
         set fingerprint = excluded.fingerprint, locked_at = now(), response_status = null, response_body = null, expires_at = excluded.expires_at
         where idempotency_keys.expires_at < now()
            or (idempotency_keys.response_status is null and idempotency_keys.fingerprint = excluded.fingerprint
                and idempotency_keys.locked_at < now() - interval '${ABANDONED_AFTER}')
       returning 1`,
      [userId, key, fingerprint],
    );
    if (inserted.rows.length) return { kind: 'claimed' };
    const row = await db('idempotency_keys').where({ user_id: userId, key }).first('fingerprint', 'response_status', 'response_body');
    if (!row) return claim(userId, key, fingerprint); // purged between the two statements
    if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (row.response_status === null) return { kind: 'in-flight' };
    return { kind: 'replay', response: { status: row.response_status, body: row.response_body } };
  }

  const complete = (userId: string, key: string, response: RouteResult) =>
    db('idempotency_keys').where({ user_id: userId, key }).update({ response_status: response.status, response_body: JSON.stringify(response.body) });
  const release = (userId: string, key: string) => db('idempotency_keys').where({ user_id: userId, key }).whereNull('response_status').delete();

  function send(res: Response, { status, body }: RouteResult): void {
    if (status >= 400) res.status(status).type('application/problem+json').send(JSON.stringify(body));
    else res.status(status).json(body);
  }

  return {
    /** Wraps a write route; `required` makes the header mandatory (payments). */
    route(handler: (req: Request) => Promise<RouteResult>, options: { required?: boolean } = {}) {
      return async (req: Request, res: Response): Promise<void> => {
        const key = req.get('idempotency-key');
        if (key === undefined) {
          if (options.required) throw new BadRequestError('headers.idempotency-key: this request needs an Idempotency-Key header', { code: 'IDEMPOTENCY_KEY_REQUIRED' });
          return send(res, await handler(req));
        }
        if (!KEY_FORMAT.test(key)) throw new BadRequestError(`headers.idempotency-key: 1 to ${LIMITS.idempotencyKeyLength} visible ASCII characters`, { code: 'IDEMPOTENCY_KEY_INVALID' });
        const userId = caller(req).id;
        const claimed = await claim(userId, key, requestFingerprint(req, fingerprintKey));
        if (claimed.kind === 'mismatch') throw new AppError(422, 'IDEMPOTENCY_KEY_REUSED', 'Unprocessable content', { detail: 'This Idempotency-Key was used for a different request' });
        if (claimed.kind === 'in-flight') throw new ConflictError('IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still being processed; retry shortly', { headers: { 'retry-after': '1' } });
        if (claimed.kind === 'replay') {
          res.setHeader('idempotent-replayed', 'true');
          return send(res, claimed.response);
        }
        let result: RouteResult;
        try {
          result = await handler(req);
        } catch (error) {
          const known = toAppError(error);
          if (known && known.status < 500 && !NOT_STORED.has(known.status)) await complete(userId, key, { status: known.status, body: problemOf(known) });
          else await release(userId, key);
          throw error;
        }
        if (result.status < 500 && !NOT_STORED.has(result.status)) await complete(userId, key, result);
        else await release(userId, key);
        send(res, result);
      };
    },

    /** Deletes keys past their 24 hours; returns how many. */
    async purgeExpired(): Promise<number> {
      return db('idempotency_keys').where('expires_at', '<', db.fn.now()).delete();
    },
  };
}

export type Idempotency = ReturnType<typeof createIdempotency>;
