// The checkout page's state: the order, the phase of the payment, the card and payment errors and
// the Idempotency-Key of the attempt in flight, changed only by `reduceCheckout`. pages/checkout.ts
// calls the API, polls and renders; the reducer says what to do next.

import type { Order, Payment } from '../api/types.ts';

export type CheckoutPhase = 'loading' | 'form' | 'paying' | 'confirming' | 'closed';

export interface CheckoutState {
  phase: CheckoutPhase;
  order: Order | undefined;
  loadProblem: unknown;
  cardError: string | undefined;
  payError: string | undefined;
  /** Kept until the attempt has a definite answer, so a retry after a lost answer is the same payment. */
  paymentKey: string | undefined;
  payment: Payment | undefined;
}

/** A failed payment request as the page saw it: the API's refusal, or no answer at all. */
export interface PayFailure {
  code: string | undefined;
  status: number | undefined;
  /** No answer (a lost connection): the payment may have been made. */
  network: boolean;
  message: string;
  /** The payment already under way for this order (PAYMENT_IN_PROGRESS, ORDER_ALREADY_PAID), as the page read it. */
  existing: Payment | undefined;
}

export type CheckoutEvent =
  | { type: 'loaded'; order: Order }
  | { type: 'load-failed'; error: unknown }
  | { type: 'submit'; card: string | undefined; newKey: string }
  | { type: 'paid'; payment: Payment }
  | { type: 'pay-failed'; failure: PayFailure }
  /** The payment as read again while following it. */
  | { type: 'payment-seen'; payment: Payment }
  | { type: 'order-updated'; order: Order }
  | { type: 'declined' }
  | { type: 'cancel-failed'; message: string };

export type CheckoutCommand =
  | { kind: 'none' }
  | { kind: 'to-confirmation' }
  | { kind: 'focus-card' }
  | { kind: 'pay'; card: string; key: string }
  /** Follow the payment, then the order, until CONFIRMED. */
  | { kind: 'follow' }
  | { kind: 'reload' }
  | { kind: 'declined' }
  | { kind: 'announce'; text: string };

export const DECLINED = 'Your card was declined. Try another card.';

export const initialCheckout = (): CheckoutState => ({
  phase: 'loading', order: undefined, loadProblem: undefined, cardError: undefined, payError: undefined, paymentKey: undefined, payment: undefined,
});

/** Card numbers are 12–19 digits; spaces and dashes as typed are fine. */
export function normaliseCard(input: string): string | undefined {
  const digits = input.replace(/[\s-]/g, '');
  return /^\d{12,19}$/.test(digits) ? digits : undefined;
}

const none = { kind: 'none' } as const;

export function reduceCheckout(state: CheckoutState, event: CheckoutEvent): { state: CheckoutState; command: CheckoutCommand } {
  switch (event.type) {
    case 'loaded': {
      const { order } = event;
      if (order.status === 'CONFIRMED') return { state: { ...state, order, loadProblem: undefined }, command: { kind: 'to-confirmation' } };
      return { state: { ...state, order, loadProblem: undefined, phase: order.status === 'PENDING_PAYMENT' ? 'form' : 'closed' }, command: none };
    }
    case 'load-failed':
      return { state: { ...state, loadProblem: event.error }, command: none };
    case 'submit': {
      if (!event.card) return { state: { ...state, payError: undefined, cardError: 'Enter the card number: 12 to 19 digits.' }, command: { kind: 'focus-card' } };
      const paymentKey = state.paymentKey ?? event.newKey;
      return { state: { ...state, payError: undefined, cardError: undefined, phase: 'paying', paymentKey }, command: { kind: 'pay', card: event.card, key: paymentKey } };
    }
    case 'paid':
      if (event.payment.status === 'FAILED') return declined(state);
      return { state: { ...state, payment: event.payment, phase: 'confirming' }, command: { kind: 'follow' } };
    case 'pay-failed': {
      const { failure } = event;
      // This order is already being paid (another tab, or a lost response): follow that payment.
      if (failure.existing) return { state: { ...state, payment: failure.existing, phase: 'confirming' }, command: { kind: 'follow' } };
      if (failure.code === 'ORDER_EXPIRED' || failure.code === 'ORDER_NOT_PAYABLE') return { state: { ...state, phase: 'form' }, command: { kind: 'reload' } };
      // Keep the key after a lost response or a server error: the retry is the same payment.
      const sameAttempt = failure.network || (failure.status !== undefined && failure.status >= 500);
      return {
        state: { ...state, phase: 'form', payment: undefined, paymentKey: sameAttempt ? state.paymentKey : undefined, payError: failure.message },
        command: { kind: 'announce', text: failure.message },
      };
    }
    case 'payment-seen':
      if (event.payment.status === 'FAILED') return declined(state);
      return { state: { ...state, payment: event.payment }, command: none };
    case 'order-updated': {
      const { order } = event;
      if (order.status === 'CONFIRMED') return { state: { ...state, order }, command: { kind: 'to-confirmation' } };
      return { state: { ...state, order, phase: order.status === 'PENDING_PAYMENT' ? state.phase : 'closed' }, command: none };
    }
    case 'declined':
      return declined(state);
    case 'cancel-failed':
      return { state: { ...state, payError: event.message }, command: none };
  }
}

/** The next try is a new payment. */
function declined(state: CheckoutState): { state: CheckoutState; command: CheckoutCommand } {
  return { state: { ...state, paymentKey: undefined, payment: undefined, phase: 'form', payError: DECLINED }, command: { kind: 'declined' } };
}
