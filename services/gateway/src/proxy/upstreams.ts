import type { Request, Response } from 'express';
import { Pool, type Dispatcher } from 'undici';
import { BadGatewayError, ServiceUnavailableError, type AppError } from '@ticketping/http';
import type { Upstream } from '../route-table.ts';
import { clientHeaders } from './headers.ts';
import { createSharedDeadline } from './shared-deadline.ts';

export interface UpstreamOptions {
  urls: Record<Upstream, string>;
  connections: number;
  connectTimeoutMs: number;
  /** Deadline for the whole call, waiting for a free connection included (up to 1.5× this, see shared-deadline.ts): nothing hangs. */
  timeoutMs: number;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMED_OUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** A failed call becomes 503 (unreachable or too slow: try again) or 502 (a broken answer). */
export function upstreamError(upstream: Upstream, error: unknown): AppError {
  const { code, name, cause } = error as { code?: string; name?: string; cause?: { code?: string } };
  const reason = code ?? cause?.code;
  if (reason && UNREACHABLE.has(reason)) return new ServiceUnavailableError('UPSTREAM_UNAVAILABLE', `The ${upstream} service is unavailable; try again shortly`, 2);
  if (name === 'TimeoutError' || (reason && TIMED_OUT.has(reason))) return new ServiceUnavailableError('UPSTREAM_TIMEOUT', `The ${upstream} service did not answer in time; try again shortly`, 2);
  return new BadGatewayError('UPSTREAM_FAILED', `The ${upstream} service failed to answer`);
}

/**
 * One keep-alive connection pool per service (undici). `forward` streams the service's answer
 * straight into the client's response; `getJson` is for the gateway's own lookups.
 */
export function createUpstreams(options: UpstreamOptions) {
  const pools = Object.fromEntries(Object.entries(options.urls).map(([name, url]) => [name, new Pool(new URL(url).origin, {
    connections: options.connections,
    connect: { timeout: options.connectTimeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  })])) as Record<Upstream, Pool>;
  const deadline = createSharedDeadline(options.timeoutMs);

  return {
    async forward(upstream: Upstream, req: Request, res: Response, headers: Record<string, string | string[]>, body: Buffer | undefined): Promise<void> {
      try {
        await pools[upstream].stream({
          path: req.originalUrl,
          method: req.method as Dispatcher.HttpMethod,
          headers,
          body: body?.length ? body : null,
          signal: deadline.signal(),
          opaque: res,
        }, ({ statusCode, headers: answered, opaque }) => {
          const out = opaque as Response;
          out.statusCode = statusCode;
          for (const [name, value] of clientHeaders(answered)) out.setHeader(name, value);
          return out;
        });
      } catch (error) {
        req.log.warn({ err: error, upstream }, 'upstream call failed');
        if (res.headersSent) {
          res.destroy(); // the answer broke off mid-way: the client must see a broken response, not a short one
          return;
        }
        throw upstreamError(upstream, error);
      }
    },

    async getJson(upstream: Upstream, path: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
      try {
        const answer = await pools[upstream].request({ path, method: 'GET', headers, signal: deadline.signal() });
        const text = await answer.body.text();
        return { status: answer.statusCode, body: text ? JSON.parse(text) : undefined };
      } catch (error) {
        throw upstreamError(upstream, error);
      }
    },

    async close(): Promise<void> {
      deadline.close();
      await Promise.all(Object.values(pools).map((pool) => pool.close()));
    },
  };
}

export type Upstreams = ReturnType<typeof createUpstreams>;
