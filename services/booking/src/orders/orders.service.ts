import { randomUUID } from 'node:crypto';
import type { EventPayload, EventTypeOn } from '@ticketping/contracts/events';
import type { Caller } from '@ticketping/http';
import { queueTokenRequired, type AdmissionCheck } from '../admission/admission.ts';
import type { BookingMetrics } from '../booking-metrics.ts';
import type { SellableCache } from '../catalog-copy/sellable-cache.ts';
import * as errors from './orders.errors.ts';
import type { TOPICS } from './orders.events.ts';
import type { Order, OrderStatus } from './orders.types.ts';

export interface OrderCursor { createdAt: Date; id: string }

/** Writes of one transaction: they commit together with the events, or not at all. */
export interface OrdersTx {
  /** Holds the seats that are free; the ones returned. The database's key decides, not a read before. */
  claimSeats(orderId: string, seatIds: string[]): Promise<string[]>;
  /**
   * Refused, as Postgres refuses it, with `{ code: '23505', constraint: 'orders_one_live_per_fan_and_schedule' }`
   * or `{ code: '23514', constraint: 'fan_seats_within_limit' }`.
   */
  insertOrder(order: Order): Promise<void>;
  findOrder(orderId: string, userId?: string): Promise<Order | undefined>;
  /** Compare-and-set on the status; leaving the live states releases the seats. */
  transition(orderId: string, from: OrderStatus, to: OrderStatus): Promise<Order | undefined>;
  emitOrderEvent(type: Exclude<EventTypeOn<typeof TOPICS.orders>, 'order.refund-requested'>, order: Order): Promise<void>;
  emitRefundRequested(refund: EventPayload<'order.refund-requested'>): Promise<void>;
}

/** Booking's orders: Postgres (`knexOrdersStore` in orders.repo.ts), or memory in the unit tests. */
export interface OrdersStore {
  transaction<T>(work: (tx: OrdersTx) => Promise<T>): Promise<T>;
  /** Which of these seats are held now (may be stale by the time it returns). */
  findHeldSeats(seatIds: string[]): Promise<string[]>;
  countSeatsHeld(userId: string, performanceId: string): Promise<{ held: number; limit: number }>;
  findLiveOrderId(userId: string, scheduleId: string): Promise<string | undefined>;
  findOrder(orderId: string, userId?: string): Promise<Order | undefined>;
  /** Newest first, after the cursor. */
  listOrders(userId: string, limit: number, after?: OrderCursor): Promise<Order[]>;
}

export interface OrdersDeps {
  store: OrdersStore;
  catalog: SellableCache;
  admission: AdmissionCheck;
  metrics: BookingMetrics;
  holdTtlSeconds: number;
  now?: () => Date;
}

export interface PlaceOrderInput { scheduleId: string; seatIds: string[]; queueToken: string | undefined }

const isViolation = (error: unknown, code: '23505' | '23514', constraint: string) =>
  (error as { code?: string; constraint?: string }).code === code && (error as { constraint?: string }).constraint === constraint;
const isUniqueViolation = (error: unknown, constraint: string) => isViolation(error, '23505', constraint);

export function createOrders(deps: OrdersDeps) {
  const { store, catalog, admission, metrics } = deps;
  const now = deps.now ?? (() => new Date());

  /** Rejections before the seats are even tried (token, window, limits, unknown seats). */
  async function prepareOrder(who: Caller, input: PlaceOrderInput): Promise<Order> {
    if (!input.queueToken) throw queueTokenRequired();
    const sellable = await catalog.get(input.scheduleId);
    if (!sellable) throw errors.scheduleNotFound(input.scheduleId);
    const { schedule } = sellable;
    await admission.verify(input.queueToken, schedule.performanceId, who.id);
    const at = now();
    if (schedule.cancelledAt) throw errors.performanceCancelled();
    if (at < schedule.bookingOpensAt) throw errors.bookingNotOpen(schedule.bookingOpensAt);
    if (at >= schedule.bookingClosesAt) throw errors.bookingClosed();
    if (input.seatIds.length > schedule.maxSeatsPerOrder) throw errors.tooManySeats(schedule.maxSeatsPerOrder);
    const missing = input.seatIds.filter((id) => !sellable.seats.has(id));
    if (missing.length) throw errors.unknownSeats(missing);
    const seats = input.seatIds.map((id) => sellable.seats.get(id)!);
    const currencies = new Set(seats.map((s) => s.currency));
    if (currencies.size > 1) throw errors.mixedCurrencies();
    return {
      id: randomUUID(),
      userId: who.id,
      performanceId: schedule.performanceId,
      scheduleId: schedule.scheduleId,
      status: 'PENDING_PAYMENT',
      // Prices come from booking's copy of the catalog, never from the client.
      seats: seats.map((s) => ({ id: s.seatId, section: s.section, row: s.row, number: s.number, grade: s.grade, price: s.price })),
      amount: seats.reduce((sum, s) => sum + s.price, 0),
      currency: seats[0]!.currency,
      expiresAt: new Date(at.getTime() + deps.holdTtlSeconds * 1000),
      paymentId: null,
      createdAt: at,
      updatedAt: at,
    };
  }

  return {
    /**
     * Holds the seats for one fan in one transaction. The database decides who gets a seat
     * (seat_holds' primary key), that a fan has one live order per schedule (unique index) and
     * how many seats a fan holds over the performance (fan_seats' check).
     */
    async placeOrder(who: Caller, input: PlaceOrderInput): Promise<Order> {
      let order: Order;
      try {
        order = await prepareOrder(who, input);
      } catch (error) {
        metrics.hold('rejected');
        throw error;
      }
      try {
        // Fast path for the usual loser of a race: a seat already held is refused with one read.
        // It only ever refuses; whether a seat is free is decided below by the constraint.
        const held = await store.findHeldSeats(input.seatIds);
        if (held.length) throw errors.seatUnavailable(held);
        await store.transaction(async (tx) => {
          const claimed = new Set(await tx.claimSeats(order.id, input.seatIds));
          const taken = input.seatIds.filter((id) => !claimed.has(id));
          if (taken.length) throw errors.seatUnavailable(taken);
          await tx.insertOrder(order);
          await tx.emitOrderEvent('order.created', order);
        });
      } catch (error) {
        if (isUniqueViolation(error, 'orders_one_live_per_fan_and_schedule')) {
          metrics.hold('rejected');
          throw errors.liveOrderExists(await store.findLiveOrderId(who.id, input.scheduleId));
        }
        if (isViolation(error, '23514', 'fan_seats_within_limit')) {
          metrics.hold('rejected');
          const { held, limit } = await store.countSeatsHeld(who.id, order.performanceId);
          throw errors.personLimitReached(limit, held);
        }
        metrics.hold((error as { code?: string }).code === 'SEAT_UNAVAILABLE' ? 'seat_unavailable' : 'rejected');
        throw error;
      }
      metrics.hold('held');
      metrics.orderStatus('PENDING_PAYMENT');
      return order;
    },

    /** A fan sees only their own orders: someone else's is "not found", not "forbidden". */
    async getOrder(who: Caller, orderId: string): Promise<Order> {
      const order = await store.findOrder(orderId, who.id);
      if (!order) throw errors.orderNotFound();
      return order;
    },

    async listOrders(who: Caller, limit: number, after?: OrderCursor): Promise<{ items: Order[]; next?: OrderCursor }> {
      const items = await store.listOrders(who.id, limit + 1, after);
      const page = items.slice(0, limit);
      const last = page.at(-1);
      return items.length > limit && last ? { items: page, next: { createdAt: last.createdAt, id: last.id } } : { items: page };
    },

    /** Cancelling releases the seats at once. Cancelling a cancelled order again is a no-op. */
    async cancelOrder(who: Caller, orderId: string): Promise<Order> {
      const cancelled = await store.transaction(async (tx) => {
        const order = await tx.findOrder(orderId, who.id);
        if (!order) throw errors.orderNotFound();
        if (order.status === 'CANCELLED') return undefined;
        const updated = await tx.transition(orderId, 'PENDING_PAYMENT', 'CANCELLED');
        if (!updated) throw errors.orderNotCancellable((await tx.findOrder(orderId))!.status);
        await tx.emitOrderEvent('order.cancelled', updated);
        return updated;
      });
      if (!cancelled) return (await store.findOrder(orderId, who.id))!;
      metrics.orderStatus('CANCELLED');
      return cancelled;
    },

    /** An administrator refunds a confirmed order: payment refunds, then the order becomes REFUNDED. */
    async requestRefund(orderId: string, reason: string): Promise<Order> {
      return store.transaction(async (tx) => {
        const order = await tx.findOrder(orderId);
        if (!order) throw errors.orderNotFound();
        if (order.status !== 'CONFIRMED' || !order.paymentId) throw errors.orderNotRefundable(order.status);
        await tx.emitRefundRequested({ orderId, userId: order.userId, paymentId: order.paymentId, reason });
        return order;
      });
    },
  };
}

export type Orders = ReturnType<typeof createOrders>;
