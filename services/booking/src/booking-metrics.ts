import { client, type Registry } from '@ticketping/metrics';
import type { OrderStatus } from './orders/orders.types.ts';

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
