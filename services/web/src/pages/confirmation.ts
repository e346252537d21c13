// The booking is confirmed: reference, seats, amount.

import { html, nothing } from 'lit-html';
import { bookingReference, formatDateTime, formatMoney, seatLabel } from '../lib/format.ts';
import { href } from '../lib/routes.ts';
import { loadError, loading, orderBadge, pageHeading } from '../ui/parts.ts';
import { resource, type PageFactory } from '../ui/page.ts';
import { orderContext } from './order-context.ts';

export const confirmationPage: PageFactory = (ctx) => {
  if (ctx.route.name !== 'confirmation') throw new Error('route mismatch');
  const { orderId } = ctx.route;
  const booking = resource(ctx, async () => {
    const order = await ctx.api.getOrder(orderId);
    return { order, context: await orderContext(ctx.api, order) };
  });
  return {
    title: 'Booking confirmed',
    render: () => {
      if (!booking.value) return booking.error ? loadError(booking.error, () => void booking.reload()) : loading('Loading your booking…');
      const { order: o, context } = booking.value;
      const confirmed = o.status === 'CONFIRMED';
      return html`
        ${pageHeading(confirmed ? 'You are going!' : 'Your booking')}
        <div class="panel confirmation">
          <p class="status-line">${orderBadge(o.status)} Booking reference <strong class="reference">${bookingReference(o.id)}</strong></p>
          ${context ? html`<p><strong>${context.title}</strong> · ${context.venue}${context.startsAt ? html` · ${formatDateTime(context.startsAt)}` : nothing}</p>` : nothing}
          <ul class="chosen">${o.seats.map((s) => html`<li>${seatLabel(s)}</li>`)}</ul>
          <p class="total">Paid <strong>${formatMoney(o.amount, o.currency)}</strong></p>
          ${confirmed ? html`<p>Your tickets are ready in My tickets (and on their way to your inbox): show a ticket’s QR code at the door.</p>` : nothing}
        </div>
        <p>${confirmed ? html`<a class="button" href=${href({ name: 'tickets' })}>See my tickets</a> ` : nothing}<a class="button secondary" href=${href({ name: 'bookings' })}>See my bookings</a> <a class="button secondary" href="#/">More performances</a></p>`;
    },
  };
};
