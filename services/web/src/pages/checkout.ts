// Checkout: the held seats, the hold countdown, and the simulated card. A payment attempt keeps
// one Idempotency-Key until it has a definite answer, so a retry after a network error can never
// charge twice; then the page polls until the order is CONFIRMED.

import { html, nothing } from 'lit-html';
import { ApiError, NetworkError, newIdempotencyKey, problemMessage } from '../api/http.ts';
import type { Order, Payment } from '../api/types.ts';
import { DECLINED, initialCheckout, normaliseCard, reduceCheckout, type CheckoutCommand, type CheckoutEvent } from '../lib/checkout-page.ts';
import { announcementFor, countdownView, thresholdCrossed } from '../lib/countdown.ts';
import { formatDateTime, formatMoney, seatLabel } from '../lib/format.ts';
import { queuePasses } from '../lib/memory.ts';
import { nextPollDelay, startPolling, type Poller } from '../lib/poll.ts';
import { href } from '../lib/routes.ts';
import { formError, loadError, loading, orderBadge, pageHeading } from '../ui/parts.ts';
import type { PageFactory } from '../ui/page.ts';
import { orderContext, type OrderContext } from './order-context.ts';

export const checkoutPage: PageFactory = (ctx) => {
  if (ctx.route.name !== 'checkout') throw new Error('route mismatch');
  const { orderId } = ctx.route;
  let context: OrderContext | undefined;
  let confirmPoller: Poller | undefined;
  let lastRemaining = Number.POSITIVE_INFINITY;
  // What the page shows changes only through the reducer (lib/checkout-page.ts); `run` does what it asks.
  let state = initialCheckout();
  const dispatch = (event: CheckoutEvent): CheckoutCommand => {
    const result = reduceCheckout(state, event);
    state = result.state;
    return result.command;
  };
  const run = (command: CheckoutCommand) => {
    switch (command.kind) {
      case 'to-confirmation': ctx.navigate(href({ name: 'confirmation', orderId }), { replace: true }); break;
      case 'follow': followPayment(); break;
      case 'reload': void load(); break;
      case 'declined': ctx.announce(DECLINED); ctx.track('payment_declined', { orderId }); break;
      case 'announce': ctx.announce(command.text); break;
      case 'none': case 'focus-card': case 'pay': break;
    }
  };

  const load = async () => {
    try {
      const order = await ctx.api.getOrder(orderId);
      const command = dispatch({ type: 'loaded', order });
      if (command.kind === 'to-confirmation') return run(command);
      context ??= await orderContext(ctx.api, order);
      // Reloaded while a payment was on its way: follow it instead of offering to pay twice.
      if (state.phase === 'form' && order.paymentId && !confirmPoller) {
        const payment = await ctx.api.getPayment(order.paymentId);
        if (payment.status === 'PENDING' || payment.status === 'SUCCEEDED') run(dispatch({ type: 'paid', payment }));
      }
    } catch (error) {
      dispatch({ type: 'load-failed', error });
    }
    ctx.update();
  };

  const tick = () => {
    const { order, phase } = state;
    if (!order || phase === 'closed') return;
    const view = countdownView(order.expiresAt, Date.now());
    const crossed = thresholdCrossed(lastRemaining, view.remainingMs);
    if (crossed !== undefined) ctx.announce(announcementFor(crossed));
    if (view.expired && lastRemaining > 0 && phase === 'form') ctx.announce('Your hold has expired and the seats were released.');
    lastRemaining = view.remainingMs;
    ctx.update();
  };
  const ticker = setInterval(tick, 1000);

  /** The payment service learns of a new order from booking's events a moment after the hold: wait for it briefly. */
  const submitPayment = async (card: string, key: string): Promise<Payment> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await ctx.api.pay(orderId, card, key);
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 'ORDER_NOT_FOUND' && attempt < 8)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    }
  };

  /** After a payment is accepted: follow it, then the order, until CONFIRMED (or the card is declined). */
  const followPayment = () => {
    ctx.announce('Payment sent. Confirming your booking…');
    let failures = 0;
    confirmPoller = startPolling(async () => {
      try {
        const { payment } = state;
        if (payment?.status === 'PENDING' || payment?.status === 'FAILED') {
          const seen = dispatch({ type: 'payment-seen', payment: payment.status === 'PENDING' ? await ctx.api.getPayment(payment.id) : payment });
          if (seen.kind === 'declined') {
            run(seen);
            return undefined;
          }
        }
        const command = dispatch({ type: 'order-updated', order: await ctx.api.getOrder(orderId) });
        failures = 0;
        if (command.kind === 'to-confirmation') {
          ctx.track('order_confirmed', { orderId });
          run(command);
          return undefined;
        }
        if (state.phase === 'closed') return undefined;
        return 500;
      } catch {
        failures += 1;
        return nextPollDelay({ pollAfterMs: 500, consecutiveFailures: failures });
      } finally {
        ctx.update();
      }
    });
  };


  const pay = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const command = dispatch({ type: 'submit', card: normaliseCard(String(new FormData(form).get('card') ?? '')), newKey: newIdempotencyKey() });
    ctx.update();
    if (command.kind === 'focus-card') form.querySelector<HTMLInputElement>('#card')?.focus();
    if (command.kind !== 'pay') return;
    try {
      run(dispatch({ type: 'paid', payment: await submitPayment(command.card, command.key) }));
    } catch (error) {
      const code = error instanceof ApiError ? error.code : undefined;
      const existingId = error instanceof ApiError ? (error.problem.paymentId as string | undefined) : undefined;
      const existing = (code === 'PAYMENT_IN_PROGRESS' || code === 'ORDER_ALREADY_PAID') && existingId ? await ctx.api.getPayment(existingId).catch(() => undefined) : undefined;
      const status = error instanceof ApiError ? error.status : undefined;
      run(dispatch({ type: 'pay-failed', failure: { code, status, network: error instanceof NetworkError, message: problemMessage(error), existing } }));
    } finally {
      ctx.update();
    }
  };

  const cancel = async () => {
    try {
      await ctx.api.cancelOrder(orderId);
      const pass = context ? queuePasses.get(context.performanceId) : undefined;
      ctx.track('order_cancelled', { orderId });
      ctx.announce('Your order was cancelled and the seats released.');
      ctx.navigate(context && pass ? href({ name: 'seats', performanceId: context.performanceId, scheduleId: state.order!.scheduleId }) : href({ name: 'bookings' }));
    } catch (error) {
      dispatch({ type: 'cancel-failed', message: problemMessage(error) });
      ctx.update();
    }
  };

  const orderSummary = (o: Order) => html`
    <section class="panel" aria-labelledby="order-heading">
      <h2 id="order-heading">Your order</h2>
      ${context ? html`<p><strong>${context.title}</strong> · ${context.venue}${context.startsAt ? html` · ${formatDateTime(context.startsAt)}` : nothing}</p>` : nothing}
      <ul class="chosen">${o.seats.map((s) => html`<li>${seatLabel(s)} · ${formatMoney(s.price, o.currency)}</li>`)}</ul>
      <p class="total">Total <strong>${formatMoney(o.amount, o.currency)}</strong></p>
    </section>`;

  const paymentForm = (o: Order) => {
    const { phase, cardError, payError } = state;
    const countdown = countdownView(o.expiresAt, Date.now());
    if (countdown.expired) {
      return html`<div class="notice notice-error" role="alert"><p>Your hold has expired and the seats were released.</p>
        <a href=${context ? href({ name: 'queue', performanceId: context.performanceId, scheduleId: o.scheduleId }) : '#/'}>Choose seats again</a></div>`;
    }
    const busy = phase === 'paying' || phase === 'confirming';
    return html`
      <p class=${`hold-timer ${countdown.urgent ? 'urgent' : ''}`}>Seats held for <span role="timer" aria-label=${`${countdown.text} left`}>${countdown.text}</span></p>
      <form class="panel form" @submit=${pay} novalidate aria-labelledby="pay-heading">
        <h2 id="pay-heading">Pay by card</h2>
        <div class="field">
          <label for="card">Card number</label>
          <input id="card" name="card" inputmode="numeric" autocomplete="cc-number" required
            aria-invalid=${cardError ? 'true' : 'false'} aria-describedby="card-hint ${cardError ? 'card-error' : ''}" ?disabled=${busy}>
          <p id="card-hint" class="hint">This is a demo: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined.</p>
          ${cardError ? html`<p id="card-error" class="field-error">${cardError}</p>` : nothing}
        </div>
        ${formError(payError)}
        <button class="button primary wide" type="submit" ?disabled=${busy}>
          ${phase === 'paying' ? 'Paying…' : phase === 'confirming' ? 'Confirming your booking…' : `Pay ${formatMoney(o.amount, o.currency)}`}</button>
        ${phase === 'confirming' ? html`<p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>Payment accepted. Confirming your booking…</p>` : nothing}
      </form>
      <button type="button" class="button secondary" ?disabled=${busy} @click=${cancel}>Cancel and release seats</button>`;
  };

  void load();
  return {
    title: 'Checkout',
    render: () => {
      const { order, loadProblem, phase } = state;
      return html`
      ${pageHeading('Checkout')}
      ${loadProblem ? loadError(loadProblem, () => void load()) : nothing}
      ${!order && !loadProblem ? loading('Loading your order…') : nothing}
      ${order ? html`
        <div class="checkout-layout">
          ${orderSummary(order)}
          <div>${phase === 'closed'
            ? html`<div class="notice" role="status"><p>This order is ${orderBadge(order.status)} and can no longer be paid.</p><a href=${href({ name: 'bookings' })}>My bookings</a></div>`
            : paymentForm(order)}</div>
        </div>` : nothing}`;
    },
    dispose: () => {
      clearInterval(ticker);
      confirmPoller?.stop();
    },
  };
};
