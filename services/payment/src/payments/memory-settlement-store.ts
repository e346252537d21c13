import type { Payment } from './payments.types.ts';
import type { SettlementStore, SettlementTx } from './settlement.repo.ts';

export interface StoredPayment extends Payment { nextRefundAttemptAt: Date | null }
export interface EmittedEvent { type: string; paymentId: string; reason: string | undefined }

export interface MemorySettlementStore extends SettlementStore {
  payments: Map<string, StoredPayment>;
  /** Events of committed transactions only, in order. */
  events: EmittedEvent[];
}

/**
 * Settlement's store in memory, for its unit tests: one transaction at a time, a failed one leaves
 * the payments and the events as they were (the Postgres store's locking is tested against Postgres).
 */
export function createMemorySettlementStore(now: () => Date): MemorySettlementStore {
  const payments = new Map<string, StoredPayment>();
  const events: EmittedEvent[] = [];
  const copy = (p: StoredPayment): StoredPayment => ({ ...p });
  const store: MemorySettlementStore = {
    payments,
    events,
    async transaction(work) {
      const before = new Map([...payments].map(([id, p]) => [id, copy(p)]));
      const pending: EmittedEvent[] = [];
      const touch = (p: StoredPayment, change: Partial<StoredPayment>) => Object.assign(p, change, { updatedAt: now() });
      const tx: SettlementTx = {
        async lockStalePending(olderThan, limit) {
          return [...payments.values()].filter((p) => p.status === 'PENDING' && p.updatedAt < olderThan).sort((a, b) => +a.updatedAt - +b.updatedAt).slice(0, limit).map(copy);
        },
        async postponeSettlement(id) {
          const p = payments.get(id);
          if (p?.status === 'PENDING') touch(p, {});
        },
        async settle(id, to, details) {
          const p = payments.get(id);
          if (p?.status !== 'PENDING') return undefined;
          return copy(touch(p, { status: to, providerReference: details.reference ?? null, failureReason: details.failureReason ?? null }));
        },
        async lockNextRefundDue(at) {
          const due = [...payments.values()].filter((p) => p.status === 'SUCCEEDED' && p.refundRequestedAt && p.nextRefundAttemptAt && p.nextRefundAttemptAt <= at);
          const next = due.sort((a, b) => +a.nextRefundAttemptAt! - +b.nextRefundAttemptAt!)[0];
          return next && copy(next);
        },
        async scheduleRefundRetry(id, attempts, at) {
          const p = payments.get(id);
          if (p) Object.assign(p, { refundAttempts: attempts, nextRefundAttemptAt: at });
        },
        async markRefunded(id) {
          const p = payments.get(id);
          if (p?.status !== 'SUCCEEDED') return undefined;
          return copy(touch(p, { status: 'REFUNDED' }));
        },
        async resoldAmount() {
          return 0; // returns are refunded on Postgres only (return-refunds.ts)
        },
        async emit(type, payment, reason) {
          pending.push({ type, paymentId: payment.id, reason });
        },
      };
      try {
        const result = await work(tx);
        events.push(...pending);
        return result;
      } catch (error) {
        payments.clear();
        for (const [id, p] of before) payments.set(id, p);
        throw error;
      }
    },
  };
  return store;
}
