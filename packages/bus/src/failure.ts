/**
 * Why a handler failed decides what the bus does with the message (README § Delivery policy):
 * - `transient`: the world will change (a dependency is down, busy or racing us). Retried with
 *   capped exponential backoff for as long as it takes; dead-lettering it would strand a fact
 *   (a payment, a published performance) over a blip.
 * - `permanent`: retrying cannot help (the payload is undecodable or invalid, or the handler said
 *   so). Dead-lettered at once, so the messages behind it keep flowing.
 * - `unknown`: anything else, usually a bug. Retried up to the subscription's `maxAttempts` and
 *   then dead-lettered: a bug does not fix itself, and a redrive after the fix replays it.
 */
export type FailureKind = 'transient' | 'permanent' | 'unknown';

/** Thrown by a handler to dead-letter the message now: it can never be applied. */
export class PermanentDeliveryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentDeliveryError';
  }
}

/** Thrown by a handler to have the message retried until it succeeds (no cap on attempts). */
export class TransientDeliveryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TransientDeliveryError';
  }
}

/** Socket-level failures: the dependency is unreachable or dropped us. */
const TRANSIENT_ERRNO = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN', 'ENOTCONN',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Postgres SQLSTATEs that go away by themselves: serialization failure, deadlock, lock and
 * statement timeouts, a server shutting down or starting, too many connections, and every
 * connection exception (class 08).
 */
const TRANSIENT_SQLSTATE = new Set(['40001', '40P01', '55P03', '57014', '57P01', '57P02', '57P03', '53000', '53100', '53200', '53300', '58000']);

/** Error names of the libraries we use whose failures are about availability, not the message. */
const TRANSIENT_NAMES = new Set(['TransientDeliveryError', 'KnexTimeoutError', 'TimeoutError', 'AbortError', 'MaxRetriesPerRequestError', 'KafkaJSConnectionError', 'KafkaJSRequestTimeoutError', 'KafkaJSNumberOfRetriesExceeded']);

/** Messages without a code: node-postgres when the server goes away, ioredis while disconnected, Redis replies while it cannot serve. */
const TRANSIENT_MESSAGE = /^(Connection terminated|Connection is closed|Client has encountered a connection error|timeout exceeded when trying to connect|Stream isn't writeable|Command timed out|(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY) )/i;

const PERMANENT_NAMES = new Set(['PermanentDeliveryError', 'ZodError', 'SyntaxError']);

function kindOf(error: unknown): FailureKind {
  if (!(error instanceof Error)) return 'unknown';
  if (PERMANENT_NAMES.has(error.name)) return 'permanent';
  if (TRANSIENT_NAMES.has(error.name)) return 'transient';
  const { code, status, statusCode } = error as { code?: unknown; status?: unknown; statusCode?: unknown };
  if (typeof code === 'string' && (TRANSIENT_ERRNO.has(code) || TRANSIENT_SQLSTATE.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return 'transient';
  // A dependency answering 5xx (503 overloaded, 502/504 from a proxy) or 429: it will answer again.
  const httpStatus = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : undefined;
  if (httpStatus !== undefined && (httpStatus >= 500 || httpStatus === 429)) return 'transient';
  if (TRANSIENT_MESSAGE.test(error.message)) return 'transient';
  return 'unknown';
}

/**
 * Classifies a handler's failure. Wrapped errors count by their causes (`cause`, and the
 * `errors` of an AggregateError, as Node's connect gives for several addresses): a permanent
 * verdict anywhere wins, then a transient one.
 */
export function classifyFailure(error: unknown): FailureKind {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  let found: FailureKind = 'unknown';
  while (queue.length > 0 && seen.size < 20) {
    const current = queue.shift();
    if (seen.has(current)) continue;
    seen.add(current);
    const kind = kindOf(current);
    if (kind === 'permanent') return 'permanent';
    if (kind === 'transient') found = 'transient';
    if (current instanceof Error) {
      if (current.cause !== undefined) queue.push(current.cause);
      if (current instanceof AggregateError) queue.push(...(current.errors as unknown[]));
    }
  }
  return found;
}
