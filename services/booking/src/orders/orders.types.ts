import type { Order as OrderBody } from '@ticketping/contracts/http';

export const ORDER_STATUSES = ['PENDING_PAYMENT', 'CONFIRMED', 'CANCELLED', 'EXPIRED', 'REFUNDED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** States in which an order keeps its seats. */
export const LIVE_STATUSES: readonly OrderStatus[] = ['PENDING_PAYMENT', 'CONFIRMED'];

/** Every transition the state machine allows (the database trigger enforces the same list). */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PENDING_PAYMENT: ['CONFIRMED', 'CANCELLED', 'EXPIRED'],
  CONFIRMED: ['REFUNDED'],
  CANCELLED: [],
  EXPIRED: [],
  REFUNDED: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export interface OrderSeat {
  id: string;
  section: string;
  row: number;
  number: number;
  grade: string;
  price: number;
}

export interface Order {
  id: string;
  userId: string;
  performanceId: string;
  scheduleId: string;
  status: OrderStatus;
  seats: OrderSeat[];
  amount: number;
  currency: string;
  expiresAt: Date;
  paymentId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The order as the public API shows it (docs/api.md). */
export function orderResponse(order: Order): OrderBody {
  return {
    id: order.id,
    status: order.status,
    performanceId: order.performanceId,
    scheduleId: order.scheduleId,
    seats: order.seats.map(({ id, section, row, number, grade, price }) => ({ id, section, row, number, grade, price })),
    amount: order.amount,
    currency: order.currency,
    expiresAt: order.expiresAt.toISOString(),
    paymentId: order.paymentId,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}
export type OrderResponse = OrderBody;
