import type { Knex } from '@ticketping/db';
import type { EventTypeOn } from '@ticketping/contracts/events';
import { emitPaymentEvent, type TOPICS } from './payments.events.ts';
import { lockNextRefundDue, lockStalePending, markRefunded, postponeSettlement, scheduleRefundRetry, settle } from './payments.repo.ts';
import type { Payment } from './payments.types.ts';
import { resoldAmount } from './return-refunds.ts';

/** What settlement reads and writes inside one transaction (rows it locks stay locked until it ends). */
export interface SettlementTx {
  lockStalePending(before: Date, limit: number): Promise<Payment[]>;
  postponeSettlement(paymentId: string): Promise<void>;
  /** Compare-and-set PENDING → SUCCEEDED | FAILED; undefined when someone else settled it first. */
  settle(paymentId: string, to: 'SUCCEEDED' | 'FAILED', details: { reference?: string; failureReason?: string }): Promise<Payment | undefined>;
  lockNextRefundDue(now: Date): Promise<Payment | undefined>;
  scheduleRefundRetry(paymentId: string, attempts: number, nextAttemptAt: Date): Promise<void>;
  markRefunded(paymentId: string): Promise<Payment | undefined>;
  /** The price of the payment's seats resold through returns (refunded separately, less the fee). */
  resoldAmount(paymentId: string): Promise<number>;
  /** Published if and only if the transaction commits (the outbox). */
  emit(type: Exclude<EventTypeOn<typeof TOPICS.payments>, 'payment.return-refunded'>, payment: Payment, reason?: string): Promise<void>;
}

export interface SettlementStore {
  transaction<T>(work: (tx: SettlementTx) => Promise<T>): Promise<T>;
}

/** Settlement's store on payment's Postgres: the rows of payments.repo.ts, the outbox of payments.events.ts. */
export function knexSettlementStore(db: Knex): SettlementStore {
  return {
    transaction: (work) =>
      db.transaction((trx) =>
        work({
          lockStalePending: (before, limit) => lockStalePending(trx, before, limit),
          postponeSettlement: (id) => postponeSettlement(trx, id),
          settle: (id, to, details) => settle(trx, id, to, details),
          lockNextRefundDue: (now) => lockNextRefundDue(trx, now),
          scheduleRefundRetry: (id, attempts, at) => scheduleRefundRetry(trx, id, attempts, at),
          markRefunded: (id) => markRefunded(trx, id),
          resoldAmount: (id) => resoldAmount(trx, id),
          emit: (type, payment, reason) => emitPaymentEvent(trx, type, payment, reason),
        }),
      ),
  };
}
