import CircuitBreaker from 'opossum';
import pRetry from 'p-retry';
import type { Logger } from '@ticketping/logger';
import type { PaymentMetrics } from '../payment-metrics.ts';
import type { ChargeRequest, ChargeResult, PaymentProvider, RefundRequest } from './provider.ts';

/** The breaker is open: the provider was not called at all. */
export class ProviderUnavailableError extends Error {
  constructor() {
    super('the payment provider is unavailable (circuit open)');
    this.name = 'ProviderUnavailableError';
  }
}

/** The call failed or timed out: whether the provider acted is unknown. */
export class ProviderCallError extends Error {
  constructor(operation: string, cause: unknown) {
    super(`payment provider ${operation} failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'ProviderCallError';
  }
}

export interface GuardOptions {
  timeoutMs: number;
  errorThresholdPercentage: number;
  volumeThreshold: number;
  resetTimeoutMs: number;
  metrics: PaymentMetrics;
  logger: Logger;
}

export interface GuardedProvider {
  readonly name: string;
  /** Not retried: a charge is retried only through `lookup` (its outcome may be unknown). */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** Retried with backoff: a read. */
  lookup(paymentId: string): Promise<ChargeResult | { outcome: 'not_found' }>;
  /** Retried with backoff: idempotent on the request's key. */
  refund(request: RefundRequest): Promise<{ reference: string }>;
  isOpen(): boolean;
  shutdown(): void;
}

type Call = (signal: AbortSignal) => Promise<unknown>;

/**
 * Every provider call goes through one circuit breaker (opossum) with a timeout that also aborts
 * the call. When the provider keeps failing the breaker opens and calls fail at once for a
 * while, instead of piling up requests that would time out anyway.
 */
export function guardProvider(provider: PaymentProvider, options: GuardOptions): GuardedProvider {
  const { metrics, logger } = options;
  const breaker = new CircuitBreaker<[Call], unknown>((call) => call(AbortSignal.timeout(options.timeoutMs)), {
    name: `payment-provider-${provider.name}`,
    timeout: options.timeoutMs,
    errorThresholdPercentage: options.errorThresholdPercentage,
    volumeThreshold: options.volumeThreshold,
    resetTimeout: options.resetTimeoutMs,
  });
  breaker.on('open', () => {
    metrics.circuitOpen.set(1);
    logger.warn({ provider: provider.name }, 'payment provider circuit opened');
  });
  breaker.on('halfOpen', () => metrics.circuitOpen.set(0));
  breaker.on('close', () => {
    metrics.circuitOpen.set(0);
    logger.info({ provider: provider.name }, 'payment provider circuit closed');
  });
  metrics.circuitOpen.set(0);

  async function guarded<T>(operation: string, call: (signal: AbortSignal) => Promise<T>, outcomeOf: (result: T) => string): Promise<T> {
    const end = metrics.providerDuration.startTimer({ operation });
    try {
      const result = (await breaker.fire(call)) as T;
      end({ outcome: outcomeOf(result) });
      return result;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'EOPENBREAKER') {
        end({ outcome: 'circuit_open' });
        throw new ProviderUnavailableError();
      }
      const timedOut = code === 'ETIMEDOUT' || ['TimeoutError', 'AbortError'].includes((error as Error).name);
      end({ outcome: timedOut ? 'timeout' : 'error' });
      throw new ProviderCallError(operation, error);
    }
  }

  const withRetries = <T>(operation: string, fn: () => Promise<T>) =>
    pRetry(fn, {
      retries: 2,
      minTimeout: 100,
      factor: 3,
      randomize: true,
      shouldRetry: ({ error }) => !(error instanceof ProviderUnavailableError),
      onFailedAttempt: ({ error, attemptNumber }) => logger.warn({ err: error, operation, attemptNumber }, 'payment provider call failed'),
    });

  return {
    name: provider.name,
    charge: (request) => guarded('charge', (signal) => provider.charge(request, signal), (r) => r.outcome),
    lookup: (paymentId) => withRetries('lookup', () => guarded('lookup', (signal) => provider.lookup(paymentId, signal), (r) => r.outcome)),
    refund: (request) => withRetries('refund', () => guarded('refund', (signal) => provider.refund(request, signal), () => 'refunded')),
    isOpen: () => breaker.opened,
    shutdown: () => breaker.shutdown(),
  };
}
