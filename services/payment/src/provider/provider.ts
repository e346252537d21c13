/**
 * What payment needs from a payment provider. The simulated provider ships; a real one (the
 * original system used Toss Payments) implements the same three calls:
 * - `charge` must be idempotent on `paymentId` at the provider (Toss: the `Idempotency-Key`
 *   header; Stripe: idempotency keys), because an unknown outcome is settled by `lookup`;
 * - `lookup` is a read, safe to retry;
 * - `refund` must be idempotent on `idempotencyKey`, so a retried refund never pays out twice.
 * Every call gets an AbortSignal that fires at the configured timeout.
 */
export interface CardMethod { type: 'card'; cardNumber: string }
export type PaymentMethod = CardMethod;

export interface ChargeRequest { paymentId: string; amount: number; currency: string; method: PaymentMethod }

/** A decline is an answer, not a failure: it never trips the circuit breaker. */
export type ChargeResult =
  | { outcome: 'approved'; reference: string }
  | { outcome: 'declined'; reason: string };

export interface RefundRequest { paymentId: string; reference: string; amount: number; currency: string; reason: string; idempotencyKey: string }

export interface PaymentProvider {
  readonly name: string;
  charge(request: ChargeRequest, signal: AbortSignal): Promise<ChargeResult>;
  /** What became of a charge whose answer was lost (timeout, crash); `not_found` if it never happened. */
  lookup(paymentId: string, signal: AbortSignal): Promise<ChargeResult | { outcome: 'not_found' }>;
  refund(request: RefundRequest, signal: AbortSignal): Promise<{ reference: string }>;
}
