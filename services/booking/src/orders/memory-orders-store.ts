import type { OrderCursor, OrdersStore, OrdersTx } from './orders.service.ts';
import { LIVE_STATUSES, type Order } from './orders.types.ts';

export interface MemoryEvent { type: string; key: string }

export interface MemoryOrdersStore extends OrdersStore {
  orders: Map<string, Order>;
  /** Seat → order, while the order is live (booking's seat_holds). */
  holds: Map<string, string>;
  /** The per-person limit of each performance (booking's max_seats_per_person, or per order). */
  seatLimits: Map<string, number>;
  /** Events of committed transactions, in order. */
  events: MemoryEvent[];
}

/** Raised as Postgres raises it, so the use case maps it the same way. */
const violation = (code: '23505' | '23514', constraint: string) => Object.assign(new Error(`violates ${constraint}`), { code, constraint });

/**
 * Booking's orders in memory, for the orders use cases' unit tests: the same rules the database
 * keeps (one hold per seat, one live order per fan and schedule, the per-person limit) applied
 * one transaction at a time; a failed transaction leaves nothing behind. Concurrency is Postgres's
 * and is tested against it.
 */
export function createMemoryOrdersStore(): MemoryOrdersStore {
  const orders = new Map<string, Order>();
  const holds = new Map<string, string>();
  const seatLimits = new Map<string, number>();
  const events: MemoryEvent[] = [];
  const copy = (o: Order): Order => ({ ...o, seats: o.seats.map((s) => ({ ...s })) });
  const isLive = (o: Order) => LIVE_STATUSES.includes(o.status);
  const find = (orderId: string, userId?: string) => {
    const order = orders.get(orderId);
    return order && (userId === undefined || order.userId === userId) ? copy(order) : undefined;
  };
  const seatsHeld = (userId: string, performanceId: string) =>
    [...orders.values()].filter((o) => o.userId === userId && o.performanceId === performanceId && isLive(o)).reduce((n, o) => n + o.seats.length, 0);

  return {
    orders,
    holds,
    seatLimits,
    events,
    async transaction(work) {
      const saved = { orders: new Map([...orders].map(([id, o]) => [id, copy(o)])), holds: new Map(holds) };
      const pending: MemoryEvent[] = [];
      const tx: OrdersTx = {
        async claimSeats(orderId, seatIds) {
          const claimed = seatIds.filter((id) => !holds.has(id));
          for (const id of claimed) holds.set(id, orderId);
          return claimed;
        },
        async insertOrder(order) {
          if ([...orders.values()].some((o) => o.userId === order.userId && o.scheduleId === order.scheduleId && isLive(o))) throw violation('23505', 'orders_one_live_per_fan_and_schedule');
          const limit = seatLimits.get(order.performanceId) ?? Number.POSITIVE_INFINITY;
          if (seatsHeld(order.userId, order.performanceId) + order.seats.length > limit) throw violation('23514', 'fan_seats_within_limit');
          orders.set(order.id, copy(order));
        },
        findOrder: async (orderId, userId) => find(orderId, userId),
        async transition(orderId, from, to) {
          const order = orders.get(orderId);
          if (order?.status !== from) return undefined;
          Object.assign(order, { status: to, updatedAt: new Date() });
          if (to !== 'CONFIRMED') for (const [seat, holder] of holds) if (holder === orderId) holds.delete(seat);
          return copy(order);
        },
        async emitOrderEvent(type, order) {
          pending.push({ type, key: order.id });
        },
        async emitRefundRequested(refund) {
          pending.push({ type: 'order.refund-requested', key: refund.orderId });
        },
      };
      try {
        const result = await work(tx);
        events.push(...pending);
        return result;
      } catch (error) {
        orders.clear();
        for (const [id, o] of saved.orders) orders.set(id, o);
        holds.clear();
        for (const [seat, id] of saved.holds) holds.set(seat, id);
        throw error;
      }
    },
    findHeldSeats: async (seatIds) => seatIds.filter((id) => holds.has(id)),
    countSeatsHeld: async (userId, performanceId) => ({ held: seatsHeld(userId, performanceId), limit: seatLimits.get(performanceId) ?? 0 }),
    findLiveOrderId: async (userId, scheduleId) => [...orders.values()].find((o) => o.userId === userId && o.scheduleId === scheduleId && isLive(o))?.id,
    findOrder: async (orderId, userId) => find(orderId, userId),
    async listOrders(userId, limit, after?: OrderCursor) {
      const newestFirst = [...orders.values()].filter((o) => o.userId === userId).sort((a, b) => +b.createdAt - +a.createdAt || (b.id < a.id ? -1 : 1));
      const from = after ? newestFirst.filter((o) => +o.createdAt < +after.createdAt || (+o.createdAt === +after.createdAt && o.id < after.id)) : newestFirst;
      return from.slice(0, limit).map(copy);
    },
  };
}
