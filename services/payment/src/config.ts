import { env, kafkaSettings, loadConfig as load, serviceSettings, z } from '@ticketping/config';

/**
 * Payment's environment. Defaults are the standalone defaults (services/standalone runs every
 * service on loopback); the chart sets real secrets.
 */
export const paymentConfigSchema = z.object({
  ...serviceSettings(8085),
  DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/ticketping'),
  DATABASE_POOL_MAX: env.int(10, 1),
  ...kafkaSettings('payment'),
  OUTBOX_POLL_INTERVAL_MS: env.int(50, 5),
  /** Which provider charges cards. Only the simulated one ships; a real one plugs in behind the same interface. */
  PAYMENT_PROVIDER: z.enum(['simulated']).default('simulated'),
  /** Simulated provider: cards other than the two test numbers are approved after this delay. */
  SIMULATED_PROVIDER_DELAY_MS: env.int(300),
  /**
   * Simulated provider: `slow` answers after SIMULATED_PROVIDER_SLOW_MS, `fail` errors on every
   * call, `late` settles each charge SIMULATED_PROVIDER_LATE_MS after the call (which waits for it).
   */
  SIMULATED_PROVIDER_MODE: z.enum(['normal', 'slow', 'fail', 'late']).default('normal'),
  SIMULATED_PROVIDER_SLOW_MS: env.int(30_000),
  SIMULATED_PROVIDER_LATE_MS: env.int(20_000),
  /** Every provider call is abandoned after this long (and counts as a failure for the breaker). */
  PROVIDER_TIMEOUT_MS: env.int(5000, 50),
  /** Circuit breaker: opens when this percentage of calls in the window fail… */
  PROVIDER_BREAKER_ERROR_PERCENT: env.int(50, 1),
  /** …once at least this many calls were made in the window… */
  PROVIDER_BREAKER_MIN_CALLS: env.int(5, 1),
  /** …and lets one trial call through after this long. */
  PROVIDER_BREAKER_RESET_MS: env.int(10_000, 100),
  /**
   * A fan may pay milliseconds after booking created the order, before `order.created` reached
   * payment: a payment for an unknown order waits this long for it before answering 404.
   */
  ORDER_ARRIVAL_WAIT_MS: env.int(3000),
  /**
   * Booking's address. A payment for an order payment has not heard of yet is read from booking
   * (as the paying fan) instead of waiting for the event, so a lagging bus never refuses a fan's
   * payment. Unset: wait ORDER_ARRIVAL_WAIT_MS for the event only.
   */
  BOOKING_URL: z.url().optional(),
  /** How often payments left PENDING by a timeout or a crash are settled with the provider. */
  RECONCILE_INTERVAL_MS: env.int(5000, 50),
  /**
   * The provider's promise: a charge it has not reported this long after the request will never
   * settle. Until then a charge the provider does not know stays PENDING (it may settle late);
   * after it, the payment is FAILED (`NOT_CHARGED`). Never shorter than the provider's documented
   * settlement time.
   */
  PROVIDER_SETTLEMENT_WINDOW_MS: env.int(3_600_000, 1000),
  /** How often SUCCEEDED payments are compared with their orders (confirmed, or refunded). */
  ORDER_RECONCILE_INTERVAL_MS: env.int(30_000, 50),
  /**
   * A SUCCEEDED payment whose order is not CONFIRMED this long after it succeeded is acted on:
   * refunded if the order can no longer be sold, announced again to booking if it still waits.
   */
  ORDER_RECONCILE_AFTER_MS: env.int(60_000, 0),
  /** How often requested refunds are (re)tried. */
  REFUND_INTERVAL_MS: env.int(1000, 20),
  /**
   * Secret for the Idempotency-Key fingerprint (an HMAC over the request, which carries the card
   * number). Unset, it is derived from INTERNAL_TOKEN. Changing it makes keys in their 24 hours
   * answer 422 to a retry, so keep it stable.
   */
  IDEMPOTENCY_FINGERPRINT_KEY: z.string().min(32, 'the fingerprint secret must be at least 32 characters').optional(),
});

export type PaymentConfig = z.infer<typeof paymentConfigSchema>;

export function loadConfig(source: Record<string, string | undefined> = process.env): PaymentConfig {
  return load(paymentConfigSchema, source);
}
