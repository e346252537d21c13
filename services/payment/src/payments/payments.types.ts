import type { Payment as PaymentBody } from '@ticketping/contracts/http';

export const PAYMENT_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED', 'REFUNDED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export interface Payment {
  id: string;
  orderId: string;
  userId: string;
  amount: number;
  currency: string;
  status: PaymentStatus;
  methodType: string;
  cardLast4: string | null;
  provider: string;
  providerReference: string | null;
  failureReason: string | null;
  idempotencyKey: string;
  refundRequestedAt: Date | null;
  refundReason: string | null;
  refundAttempts: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The payment as the public API shows it (docs/api.md); never the card number. */
export function paymentResponse(p: Payment): PaymentBody {
  return {
    id: p.id,
    orderId: p.orderId,
    amount: p.amount,
    currency: p.currency,
    status: p.status,
    method: { type: p.methodType, last4: p.cardLast4 },
    failureReason: p.failureReason,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
