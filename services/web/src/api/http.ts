// One fetch wrapper: JSON in and out, problem+json errors turned into ApiError with the stable code.

import type { Problem } from './types.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem;
  /** Seconds from `Retry-After` (e.g. a full waiting line), when sent. */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, problem: Problem, retryAfterSeconds?: number) {
    super(problem.detail ?? problem.title ?? `Request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code ?? `HTTP_${status}`;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The browser could not reach the server at all (offline, connection reset). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('We could not reach TicketPing. Check your connection; we will keep trying.', { cause });
    this.name = 'NetworkError';
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /**
   * Wait and send again on a 503 that carries Retry-After (a server shedding load, e.g. auth
   * while password hashing is at its budget), at most this many times. Only for requests a busy
   * server did not act on, or that are safe to repeat.
   */
  retryWhenBusy?: number;
}

/** Longest single wait a Retry-After can ask of a fan before we give up and show the error. */
export const MAX_BUSY_WAIT_SECONDS = 10;

export async function requestJson<T>(url: string, options: RequestOptions = {}): Promise<T> {
  return (await requestJsonWithStatus<T>(url, options)).body;
}

/** As requestJson, with the answer's status (e.g. 201 created against 200 already there). */
export async function requestJsonWithStatus<T>(url: string, options: RequestOptions = {}): Promise<{ status: number; body: T }> {
  for (let retriesLeft = options.retryWhenBusy ?? 0; ; retriesLeft--) {
    try {
      return await requestOnce<T>(url, options);
    } catch (error) {
      const wait = error instanceof ApiError && error.status === 503 ? error.retryAfterSeconds : undefined;
      if (retriesLeft <= 0 || wait === undefined || wait > MAX_BUSY_WAIT_SECONDS) throw error;
      // A little jitter so fans refused together do not all come back in the same millisecond.
      await delay((wait + Math.random() * 0.5) * 1000, options.signal);
    }
  }
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
  });
}

async function requestOnce<T>(url: string, { method = 'GET', body, headers = {}, signal }: RequestOptions): Promise<{ status: number; body: T }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? null : JSON.stringify(body),
      signal: signal ?? null,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new NetworkError(error);
  }
  if (response.status === 204) return { status: 204, body: undefined as T };
  const text = await response.text();
  const parsed: unknown = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const problem: Problem = typeof parsed === 'object' && parsed !== null ? (parsed as Problem) : { title: response.statusText, status: response.status };
    throw new ApiError(response.status, problem, retryAfter(response.headers.get('retry-after')));
  }
  return { status: response.status, body: parsed as T };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

/** A random UUID v4 for Idempotency-Key; getRandomValues works outside secure contexts too. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A field-level message from a problem, for forms: problems name the bad field (docs/api.md). */
export function problemMessage(error: unknown): string {
  if (error instanceof ApiError || error instanceof NetworkError) return error.message;
  return 'Something went wrong. Please try again.';
}
