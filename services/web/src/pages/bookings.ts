// My bookings: every order of the signed-in fan, newest first as the API lists them; unpaid ones
// can be paid or cancelled (cancelling releases the seats at once).

import { html, nothing } from 'lit-html';
import { problemMessage } from '../api/http.ts';
import type { Order } from '../api/types.ts';
import { bookingReference, formatDateTime, formatMoney, seatLabel } from '../lib/format.ts';
import { href } from '../lib/routes.ts';
import { formError, loadError, loading, orderBadge, pageHeading } from '../ui/parts.ts';
import type { PageFactory } from '../ui/page.ts';
import { orderContext, type OrderContext } from './order-context.ts';

export const bookingsPage: PageFactory = (ctx) => {
  if (!ctx.session.isSignedIn()) {
    ctx.navigate(href({ name: 'login', next: location.hash }), { replace: true });
    return { title: 'My bookings', render: () => html`` };
  }
  let orders: Order[] | undefined;
  let nextCursor: string | null | undefined;
  let loadProblem: unknown;
  let confirming: string | undefined;
  let busy: string | undefined;
  let actionError: { orderId: string; message: string } | undefined;
  const contexts = new Map<string, OrderContext | undefined>();

  const load = async (cursor?: string) => {
    try {
      const page = await ctx.api.listOrders(cursor);
      orders = cursor ? [...(orders ?? []), ...page.items] : page.items;
      nextCursor = page.nextCursor;
      loadProblem = undefined;
      for (const order of page.items) void orderContext(ctx.api, order).then((c) => { contexts.set(order.id, c); ctx.update(); });
    } catch (error) {
      loadProblem = error;
    }
    ctx.update();
  };
  void load();

  const cancel = async (order: Order) => {
    busy = order.id;
    actionError = undefined;
    ctx.update();
    try {
      const cancelled = await ctx.api.cancelOrder(order.id);
      orders = orders?.map((o) => (o.id === order.id ? cancelled : o));
      ctx.announce(`Booking ${bookingReference(order.id)} cancelled. The seats were released.`);
      ctx.track('order_cancelled', { orderId: order.id });
      confirming = undefined;
    } catch (error) {
      actionError = { orderId: order.id, message: problemMessage(error) };
    } finally {
      busy = undefined;
      ctx.update();
    }
  };

  const actions = (o: Order) => {
    if (o.status !== 'PENDING_PAYMENT') return nothing;
    const ref = bookingReference(o.id);
    if (confirming === o.id) {
      return html`<div class="confirm-row" role="group" aria-label=${`Cancel booking ${ref}?`}>
        <span>Cancel this booking and release the seats?</span>
        <button type="button" class="button danger" ?disabled=${busy === o.id} @click=${() => cancel(o)}>Yes, cancel ${ref}</button>
        <button type="button" class="button secondary" @click=${() => { confirming = undefined; ctx.update(); }}>Keep it</button></div>`;
    }
    return html`<div class="actions">
      <a class="button" href=${href({ name: 'checkout', orderId: o.id })}>Pay now</a>
      <button type="button" class="button secondary" @click=${() => { confirming = o.id; ctx.update(); }}>Cancel booking ${ref}</button></div>`;
  };

  const card = (o: Order) => {
    const context = contexts.get(o.id);
    return html`<li class="card booking">
      <h2>${context?.title || `Booking ${bookingReference(o.id)}`}</h2>
      <p class="status-line">${orderBadge(o.status)} Reference <strong>${bookingReference(o.id)}</strong></p>
      ${context?.startsAt ? html`<p>${context.venue} · ${formatDateTime(context.startsAt)}</p>` : nothing}
      <ul class="chosen">${o.seats.map((s) => html`<li>${seatLabel(s)}</li>`)}</ul>
      <p class="total">${formatMoney(o.amount, o.currency)}</p>
      ${actions(o)}
      ${actionError?.orderId === o.id ? formError(actionError.message) : nothing}
    </li>`;
  };

  return {
    title: 'My bookings',
    render: () => html`
      ${pageHeading('My bookings')}
      ${loadProblem ? loadError(loadProblem, () => void load()) : nothing}
      ${!orders && !loadProblem ? loading('Loading your bookings…') : nothing}
      ${orders && orders.length === 0 ? html`<p class="empty">No bookings yet. <a href="#/">Find a performance</a>.</p>` : nothing}
      <ul class="card-list" aria-label="Bookings">${(orders ?? []).map(card)}</ul>
      ${nextCursor ? html`<button type="button" class="button secondary" @click=${() => load(nextCursor!)}>Show more</button>` : nothing}`,
  };
};
