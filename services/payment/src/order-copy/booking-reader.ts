import { Order } from '@ticketping/contracts/http';
import { IDENTITY_HEADERS } from '@ticketping/http';
import type { OrderCopy } from './order-copy.repo.ts';

/**
 * Booking's own answer for one order, read over its API as the fan who owns it. Payment keeps a
 * copy of booking's orders from `order.created`, but a fan who pays while the bus lags behind
 * (an on-sale's peak) must not be refused for it: the order is read from its source instead.
 */
export interface BookingReader {
  /** The order as booking has it, or undefined when booking knows no such order of this fan. Throws when booking cannot answer. */
  order(userId: string, orderId: string): Promise<OrderCopy | undefined>;
}

export function createBookingReader(options: { url: string; internalToken: string; timeoutMs: number }): BookingReader {
  const base = options.url.replace(/\/$/, '');
  return {
    async order(userId, orderId) {
      const response = await fetch(`${base}/api/v1/orders/${encodeURIComponent(orderId)}`, {
        headers: { [IDENTITY_HEADERS.internalToken]: options.internalToken, [IDENTITY_HEADERS.userId]: userId, [IDENTITY_HEADERS.role]: 'USER' },
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      // someone else's order is "not found" to this fan, as booking answers the fan directly
      if (response.status === 404) return undefined;
      if (!response.ok) throw new Error(`booking answered ${response.status} for order ${orderId}`);
      const order = Order.parse(await response.json());
      return { orderId: order.id, userId, amount: order.amount, currency: order.currency, expiresAt: new Date(order.expiresAt), status: order.status };
    },
  };
}
