import type { Logger } from '@ticketping/logger';
import type { PaymentMetrics } from '../payment-metrics.ts';
import type { GuardedProvider } from '../provider/guarded-provider.ts';
import type { SettlementStore } from './settlement.repo.ts';

export interface SettlementDeps {
  /** Postgres (`knexSettlementStore`), or the in-memory store of the unit tests. */
  store: SettlementStore;
  provider: Pick<GuardedProvider, 'lookup' | 'refund'>;
  metrics: PaymentMetrics;
  logger: Logger;
  /** A PENDING payment older than this can no longer be in a running request. */
  staleAfterMs: number;
  /** A charge the provider has not reported this long after the payment was created never settles. */
  settlementWindowMs: number;
  now?: () => Date;
}

const BATCH = 20;
const MAX_REFUND_BACKOFF_MS = 5 * 60_000;

/**
 * The background half of payment: settles charges whose answer was lost, and gives back money
 * booking could not use. Both take their rows with FOR UPDATE SKIP LOCKED, so every replica
 * may run them at once.
 */
export function createSettlement({ store, provider, metrics, logger, staleAfterMs, settlementWindowMs, now = () => new Date() }: SettlementDeps) {
  return {
    /**
     * Asks the provider about PENDING payments left by a timeout or a crash; returns how many it
     * settled. A charge the provider does not know (yet) is never marked FAILED while the
     * provider may still settle it (within `settlementWindowMs` of the payment): it stays PENDING
     * and goes to the back of the line, and a late settlement ends SUCCEEDED like any other.
     */
    async settleStalePayments(): Promise<number> {
      return store.transaction(async (tx) => {
        const stale = await tx.lockStalePending(new Date(now().getTime() - staleAfterMs), BATCH);
        let settled = 0;
        for (const payment of stale) {
          let answer;
          try {
            answer = await provider.lookup(payment.id);
          } catch (error) {
            logger.warn({ err: error, paymentId: payment.id }, 'could not ask the provider about a pending payment; trying later');
            continue;
          }
          if (answer.outcome === 'not_found' && now().getTime() - payment.createdAt.getTime() < settlementWindowMs) {
            await tx.postponeSettlement(payment.id);
            continue;
          }
          const to = answer.outcome === 'approved' ? 'SUCCEEDED' : 'FAILED';
          const failureReason = answer.outcome === 'declined' ? answer.reason : answer.outcome === 'not_found' ? 'NOT_CHARGED' : undefined;
          const done = await tx.settle(payment.id, to, { ...(answer.outcome === 'approved' ? { reference: answer.reference } : {}), ...(failureReason ? { failureReason } : {}) });
          if (!done) continue;
          await tx.emit(to === 'SUCCEEDED' ? 'payment.succeeded' : 'payment.failed', done, failureReason);
          metrics.outcome(to);
          settled++;
        }
        return settled;
      });
    },

    /**
     * Refunds payments booking asked to give back, one per transaction: the row stays locked
     * during the provider call. A failed refund is retried later with a growing pause; the
     * provider's idempotency key makes a retry after a lost answer harmless.
     */
    async refundDue(): Promise<number> {
      let refunded = 0;
      for (let i = 0; i < BATCH; i++) {
        const outcome = await store.transaction(async (tx) => {
          const payment = await tx.lockNextRefundDue(now());
          if (!payment) return 'none';
          // seats resold through returns were paid back on their own (less the fee): not twice
          const amount = payment.amount - await tx.resoldAmount(payment.id);
          try {
            // every seat of it resold: nothing is left to give back, the order still ends refunded
            if (amount > 0) await provider.refund({
              paymentId: payment.id, reference: payment.providerReference ?? '', amount, currency: payment.currency,
              reason: payment.refundReason ?? 'REQUESTED', idempotencyKey: `refund-${payment.id}`,
            });
          } catch (error) {
            const attempts = payment.refundAttempts + 1;
            const pause = Math.min(1000 * 2 ** attempts, MAX_REFUND_BACKOFF_MS);
            logger.warn({ err: error, paymentId: payment.id, attempts }, 'refund failed; retrying later');
            await tx.scheduleRefundRetry(payment.id, attempts, new Date(now().getTime() + pause));
            return 'retry';
          }
          const done = await tx.markRefunded(payment.id);
          if (done) {
            await tx.emit('payment.refunded', done, payment.refundReason ?? undefined);
            metrics.outcome('REFUNDED');
          }
          return 'refunded';
        });
        if (outcome === 'none') break;
        if (outcome === 'refunded') refunded++;
      }
      return refunded;
    },
  };
}

export type Settlement = ReturnType<typeof createSettlement>;
