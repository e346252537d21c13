import type { OutcomeTx } from './payment-outcomes.ts';
import { canTransition, type Order } from './orders.types.ts';

export interface MemoryPerformance { cancelledAt: Date | null; totalSeats: number; soldSeats: number; soldOut: boolean }
export interface MemoryEvent { type: string; key: string; reason?: string }

export interface MemoryOutcomeTx extends OutcomeTx {
  orders: Map<string, Order>;
  performances: Map<string, MemoryPerformance>;
  events: MemoryEvent[];
}

/**
 * Booking's orders in memory, for the payment outcomes' unit tests: the state machine of
 * orders.types.ts (the database trigger's list) and compare-and-set transitions. Locking and
 * the inbox's exactly-once are Postgres's and are tested against it.
 */
export function createMemoryOutcomeTx(): MemoryOutcomeTx {
  const orders = new Map<string, Order>();
  const performances = new Map<string, MemoryPerformance>();
  const events: MemoryEvent[] = [];
  return {
    orders,
    performances,
    events,
    async findOrder(orderId) {
      const order = orders.get(orderId);
      return order && { ...order };
    },
    async transition(orderId, from, to, paymentId) {
      const order = orders.get(orderId);
      if (order?.status !== from) return undefined;
      if (!canTransition(from, to)) throw new Error(`illegal order transition ${from} -> ${to}`);
      Object.assign(order, { status: to, updatedAt: new Date(), ...(paymentId ? { paymentId } : {}) });
      return { ...order };
    },
    async lockCancelledAt(performanceId) {
      return performances.get(performanceId)?.cancelledAt ?? undefined;
    },
    async addSoldSeats(performanceId, delta) {
      const p = performances.get(performanceId);
      if (!p) return { becameSoldOut: false };
      p.soldSeats = Math.max(0, p.soldSeats + delta);
      const soldOut = p.totalSeats > 0 && p.soldSeats >= p.totalSeats;
      if (soldOut === p.soldOut) return { becameSoldOut: false };
      p.soldOut = soldOut;
      return { becameSoldOut: soldOut };
    },
    async emitOrderEvent(type, order) {
      events.push({ type, key: order.id });
    },
    async emitRefundRequested(refund) {
      events.push({ type: 'order.refund-requested', key: refund.orderId, reason: refund.reason });
    },
    async emitSoldOut(performanceId) {
      events.push({ type: 'performance.sold-out', key: performanceId });
    },
    async settleReturns() {
      return 0; // no returns in memory: resale is tested on Postgres (test/returns.int.test.ts)
    },
  };
}
