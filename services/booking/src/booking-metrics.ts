import { client, type Registry } from '@ticketping/metrics';
import type { OrderStatus } from './orders/orders.types.ts';
import type { WaitlistStats } from './waitlist/waitlist.types.ts';

/** Booking's own figures (docs/metrics.md, "Booking and payment"). */
export interface BookingMetrics {
  hold(outcome: 'held' | 'seat_unavailable' | 'rejected'): void;
  orderStatus(status: OrderStatus, count?: number): void;
  holdsExpired(count: number): void;
}

export function createBookingMetrics(registry: Registry): BookingMetrics {
  const holds = new client.Counter({ name: 'ticketping_booking_holds_total', help: 'Hold attempts by outcome', labelNames: ['outcome'] as const, registers: [registry] });
  const orders = new client.Counter({ name: 'ticketping_booking_orders_total', help: 'Order state transitions by the state reached', labelNames: ['status'] as const, registers: [registry] });
  const expired = new client.Counter({ name: 'ticketping_booking_holds_expired_total', help: 'Holds released by the expiry sweeper', registers: [registry] });
  return {
    hold: (outcome) => holds.inc({ outcome }),
    orderStatus: (status, count = 1) => orders.inc({ status }, count),
    holdsExpired: (count) => expired.inc(count),
  };
}

/**
 * Per schedule with a waitlist or a return, read from the database when scraped (every replica
 * reports the same totals; dashboards take `max by (schedule_id)`): fans waiting, offers by state
 * (made = sum over states, claimed, expired), and face-value returns by state. The organiser's
 * admin endpoint answers the same rows.
 */
export function registerWaitlistGauges(registry: Registry, stats: () => Promise<WaitlistStats[]>): void {
  let last: Promise<WaitlistStats[]> | undefined;
  // One query serves both gauges of a scrape.
  const read = () => (last ??= stats().finally(() => setTimeout(() => { last = undefined; }, 500).unref()));
  new client.Gauge({
    name: 'ticketping_waitlist_waiting', help: 'Fans waiting on a schedule\'s waitlist', labelNames: ['schedule_id'] as const, registers: [registry],
    async collect() {
      this.reset();
      for (const s of await read()) this.set({ schedule_id: s.scheduleId }, s.waiting);
    },
  });
  new client.Gauge({
    name: 'ticketping_waitlist_offers', help: 'Waitlist offers made, by state (OPEN, CLAIMED, EXPIRED, DECLINED)', labelNames: ['schedule_id', 'status'] as const, registers: [registry],
    async collect() {
      this.reset();
      for (const s of await read()) for (const [status, n] of Object.entries(s.offers)) this.set({ schedule_id: s.scheduleId, status }, n);
    },
  });
  new client.Gauge({
    name: 'ticketping_returns', help: 'Tickets returned for resale at face value, by state (LISTED, SOLD, REFUNDED, WITHDRAWN)', labelNames: ['schedule_id', 'status'] as const, registers: [registry],
    async collect() {
      this.reset();
      for (const s of await read()) for (const [status, n] of Object.entries(s.returns)) this.set({ schedule_id: s.scheduleId, status }, n);
    },
  });
}
