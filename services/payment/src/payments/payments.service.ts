import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from '@ticketping/db';
import type { Caller } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';
import { findOrderCopy, saveOrder, type OrderCopy } from '../order-copy/order-copy.repo.ts';
import type { BookingReader } from '../order-copy/booking-reader.ts';
import type { PaymentMetrics } from '../payment-metrics.ts';
import { ProviderUnavailableError, type GuardedProvider } from '../provider/guarded-provider.ts';
import type { ChargeResult, PaymentMethod } from '../provider/provider.ts';
import * as errors from './payments.errors.ts';
import { emitPaymentEvent } from './payments.events.ts';
import { findLivePayment, findPayment, findPaymentByKey, insertPayment, settle } from './payments.repo.ts';
import type { Payment } from './payments.types.ts';

export interface PaymentsDeps {
  db: Knex;
  provider: GuardedProvider;
  metrics: PaymentMetrics;
  logger: Logger;
  orderArrivalWaitMs: number;
  /** Booking's own answer for an order the copy lacks (config BOOKING_URL); without it, the event is waited for. */
  booking?: BookingReader;
  breakerResetMs: number;
  now?: () => Date;
}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

export function createPayments(deps: PaymentsDeps) {
  const { db, provider, metrics, logger } = deps;
  const now = deps.now ?? (() => new Date());

  /**
   * The fan may pay a few milliseconds after booking created the order, before `order.created`
   * reached payment's copy. Polls the copy (any replica may be the one that consumes the event)
   * with growing pauses until it appears or the wait is over.
   */
  async function waitForOrder(orderId: string): Promise<OrderCopy | undefined> {
    const deadline = Date.now() + deps.orderArrivalWaitMs;
    for (let pause = 20; ; pause = Math.min(pause * 2, 500)) {
      const order = await findOrderCopy(db, orderId);
      if (order || Date.now() + pause > deadline) return order;
      await sleep(pause);
    }
  }

  /**
   * Payment's copy of the order; when it is not there yet, booking's own answer (kept as the copy,
   * which the event then finds in place), or, when booking cannot answer, the event waited for.
   */
  async function orderToPay(userId: string, orderId: string): Promise<OrderCopy | undefined> {
    const copy = await findOrderCopy(db, orderId);
    if (copy) return copy;
    if (deps.booking) {
      try {
        const order = await deps.booking.order(userId, orderId);
        if (!order) return undefined;
        await saveOrder(db, order);
        return (await findOrderCopy(db, orderId)) ?? order;
      } catch (error) {
        logger.warn({ err: error, orderId }, 'booking did not answer for an order payment has not heard of; waiting for its event');
      }
    }
    return waitForOrder(orderId);
  }

  /** Records the provider's answer and its event in one transaction (first writer wins). */
  async function recordResult(paymentId: string, result: ChargeResult | { outcome: 'not_found' } | { outcome: 'unavailable' }): Promise<Payment> {
    const to = result.outcome === 'approved' ? 'SUCCEEDED' : 'FAILED';
    const failureReason = result.outcome === 'declined' ? result.reason : result.outcome === 'not_found' ? 'NOT_CHARGED' : result.outcome === 'unavailable' ? 'PROVIDER_UNAVAILABLE' : undefined;
    const settled = await db.transaction(async (trx) => {
      const payment = await settle(trx, paymentId, to, { ...(result.outcome === 'approved' ? { reference: result.reference } : {}), ...(failureReason ? { failureReason } : {}) });
      if (payment) await emitPaymentEvent(trx, to === 'SUCCEEDED' ? 'payment.succeeded' : 'payment.failed', payment, failureReason);
      return payment;
    });
    if (settled) metrics.outcome(to);
    return settled ?? (await findPayment(db, paymentId))!;
  }

  return {
    recordResult,

    /**
     * Charges the order's amount. At most one payment per order is in flight or succeeded
     * (unique index). A provider timeout leaves the payment PENDING: the reconciler asks the
     * provider what happened, because charging again could charge twice.
     */
    async createPayment(who: Caller, input: { orderId: string; method: PaymentMethod }, idempotencyKey: string): Promise<Payment> {
      const earlier = await findPaymentByKey(db, who.id, idempotencyKey);
      if (earlier && earlier.orderId === input.orderId) return earlier; // the same request, retried after a crash
      const order = await orderToPay(who.id, input.orderId);
      if (!order || order.userId !== who.id) throw errors.orderNotFound();
      if (order.status !== 'PENDING_PAYMENT') throw errors.orderNotPayable(order.status);
      if (order.expiresAt <= now()) throw errors.orderExpired();
      if (provider.isOpen()) throw errors.providerUnavailable(deps.breakerResetMs / 1000);

      const at = now();
      const payment: Payment = {
        id: randomUUID(), orderId: order.orderId, userId: who.id, amount: order.amount, currency: order.currency, status: 'PENDING',
        methodType: input.method.type, cardLast4: input.method.cardNumber.slice(-4), provider: provider.name, providerReference: null,
        failureReason: null, idempotencyKey, refundRequestedAt: null, refundReason: null, refundAttempts: 0, createdAt: at, updatedAt: at,
      };
      try {
        await insertPayment(db, payment);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const live = await findLivePayment(db, order.orderId);
        if (live?.status === 'SUCCEEDED') throw errors.orderAlreadyPaid(live.id);
        throw errors.paymentInProgress(live?.id ?? '');
      }

      let result: ChargeResult;
      try {
        result = await provider.charge({ paymentId: payment.id, amount: payment.amount, currency: payment.currency, method: input.method });
      } catch (error) {
        if (error instanceof ProviderUnavailableError) return recordResult(payment.id, { outcome: 'unavailable' });
        logger.warn({ err: error, paymentId: payment.id }, 'charge outcome unknown; the reconciler will settle it');
        return payment;
      }
      return recordResult(payment.id, result);
    },

    /** A fan sees only their own payments: someone else's is "not found". */
    async getPayment(who: Caller, paymentId: string): Promise<Payment> {
      const payment = await findPayment(db, paymentId, who.id);
      if (!payment) throw errors.paymentNotFound();
      return payment;
    },
  };
}

export type Payments = ReturnType<typeof createPayments>;
