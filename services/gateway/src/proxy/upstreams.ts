import type { Request, Response } from 'express';
import { Pool, errors, type Dispatcher } from 'undici';
import { BadGatewayError, ServiceUnavailableError, type AppError } from '@ticketping/http';
import type { Upstream } from '../route-table.ts';
import { clientHeaders } from '@ticketping/edge';

export interface UpstreamOptions {
  urls: Record<Upstream, string>;
  connections: number;
  connectTimeoutMs: number;
  /**
   * Nothing hangs: a call still waiting for a free connection after this long is dropped when one
   * frees, and once sent it must see the answer's headers, and each piece of its body, within it.
   */
  timeoutMs: number;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMED_OUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Streams one service answer into the client's response (undici's low-level handler interface:
 * no stream objects, no listeners beyond the response's own). A deadline needs no timer or shared
 * signal here: a call that waited too long for a connection is dropped when it gets one, and
 * undici's header and body timeouts bound it once sent. (A signal shared between calls would keep
 * every finished call reachable until the signal ends, so V8 promotes each call's garbage.)
 */
class ProxyHandler implements Dispatcher.DispatchHandler {
  private readonly started = performance.now();
  private readonly res: Response;
  private readonly timeoutMs: number;
  private readonly settle: (error?: unknown) => void;
  private abort: ((error?: Error) => void) | undefined;
  private done = false;

  constructor(res: Response, timeoutMs: number, settle: (error?: unknown) => void) {
    this.res = res;
    this.timeoutMs = timeoutMs;
    this.settle = settle;
    res.once('close', () => {
      if (!this.done) this.abort?.(new errors.RequestAbortedError('the client went away')); // stop the service's work too
    });
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abort = abort;
    if (performance.now() - this.started > this.timeoutMs) abort(new errors.HeadersTimeoutError(`no free connection within ${this.timeoutMs} ms`));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true; // 1xx: the final answer follows
    this.res.statusCode = statusCode;
    for (const [name, value] of clientHeaders(rawHeaders)) this.res.setHeader(name, value);
    this.res.on('drain', resume);
    return true;
  }

  onData(chunk: Buffer): boolean {
    return this.res.write(chunk);
  }

  onComplete(): void {
    this.done = true;
    this.res.end();
    this.settle();
  }

  onError(error: Error): void {
    this.done = true;
    this.settle(error);
  }
}

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
 * straight into the client's response; `requestJson` is for the gateway's own calls.
 */
export function createUpstreams(options: UpstreamOptions) {
  const pools = Object.fromEntries(Object.entries(options.urls).map(([name, url]) => [name, new Pool(new URL(url).origin, {
    connections: options.connections,
    connect: { timeout: options.connectTimeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  })])) as Record<Upstream, Pool>;

  return {
    async forward(upstream: Upstream, req: Request, res: Response, headers: Record<string, string | string[]>, body: Buffer | undefined): Promise<void> {
      try {
        await new Promise<void>((resolve, reject) => {
          pools[upstream].dispatch(
            { path: req.originalUrl, method: req.method as Dispatcher.HttpMethod, headers, body: body?.length ? body : null },
            new ProxyHandler(res, options.timeoutMs, (error) => (error === undefined ? resolve() : reject(error))),
          );
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

    /** The gateway's own calls (schedule lookups, status-poll batches): the answer's JSON, read whole. */
    async requestJson(upstream: Upstream, call: { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: unknown }): Promise<{ status: number; body: unknown }> {
      // The whole call, queueing for a connection included, within the deadline. A timer cleared
      // at the end, not AbortSignal.timeout: that one builds a DOMException when it fires, seconds
      // after the call has ended, for every call.
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { name: 'TimeoutError' })), options.timeoutMs);
      try {
        const answer = await pools[upstream].request({
          path: call.path,
          method: call.method,
          headers: call.body === undefined ? call.headers : { ...call.headers, 'content-type': 'application/json' },
          body: call.body === undefined ? null : JSON.stringify(call.body),
          signal: deadline.signal,
        });
        const text = await answer.body.text();
        return { status: answer.statusCode, body: text ? JSON.parse(text) : undefined };
      } catch (error) {
        throw upstreamError(upstream, deadline.signal.aborted ? deadline.signal.reason : error);
      } finally {
        clearTimeout(timer);
      }
    },

    async close(): Promise<void> {
      await Promise.all(Object.values(pools).map((pool) => pool.close()));
    },
  };
}

export type Upstreams = ReturnType<typeof createUpstreams>;
