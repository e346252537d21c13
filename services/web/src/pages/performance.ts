// One performance: description, dates, price grades, and the way into its waiting room.

import { html, nothing } from 'lit-html';
import { formatDateTime, formatMoney } from '../lib/format.ts';
import { href } from '../lib/routes.ts';
import { loadError, loading, pageHeading } from '../ui/parts.ts';
import { resource, type PageFactory } from '../ui/page.ts';

export const performancePage: PageFactory = (ctx) => {
  if (ctx.route.name !== 'performance') throw new Error('route mismatch');
  const { performanceId } = ctx.route;
  const performance = resource(ctx, () => ctx.api.getPerformance(performanceId));

  const render = () => {
    const p = performance.value;
    if (!p) return performance.error ? loadError(performance.error, () => void performance.reload()) : loading('Loading the performance…');
    const now = Date.now();
    const notYet = p.status ? p.status === 'UPCOMING' : now < Date.parse(p.bookingOpensAt);
    const closed = p.status ? ['SOLD_OUT', 'CLOSED', 'CANCELLED'].includes(p.status) : now > Date.parse(p.bookingClosesAt);
    return html`
      <nav aria-label="Breadcrumb" class="crumbs"><a href="#/">Performances</a> <span aria-hidden="true">›</span> <span aria-current="page">${p.title}</span></nav>
      ${pageHeading(p.title)}
      <p class="venue">${p.venue}</p>
      ${p.description ? html`<p class="description">${p.description}</p>` : nothing}
      <section aria-labelledby="prices-heading" class="panel">
        <h2 id="prices-heading">Prices</h2>
        <ul class="grades">
          ${p.grades.map((g, i) => html`<li><span class="swatch grade-${i % 6}" aria-hidden="true"></span>${g.name} <strong>${formatMoney(g.price, g.currency)}</strong></li>`)}
        </ul>
        <p class="hint">Up to ${p.maxSeatsPerOrder} ${p.maxSeatsPerOrder === 1 ? 'seat' : 'seats'} per order.</p>
      </section>
      <section aria-labelledby="dates-heading" class="panel">
        <h2 id="dates-heading">Dates</h2>
        ${notYet ? html`<p class="notice">Booking opens ${formatDateTime(p.bookingOpensAt)}. You can join the waiting room now:
          at the opening everyone already waiting is put in a random order, so there is no need to rush.</p>` : nothing}
        ${closed ? html`<p class="notice">${p.status === 'SOLD_OUT' ? 'This performance is sold out. Seats that come back are offered to its waitlist, in the order fans join it.' : p.status === 'CANCELLED' ? 'This performance has been cancelled.' : 'Booking has closed for this performance.'}</p>` : nothing}
        <ul class="schedule-list">
          ${p.schedules.map((s) => html`
            <li>
              <span class="date">${formatDateTime(s.startsAt)}</span>
              ${p.status === 'SOLD_OUT'
                ? html`<a class="button secondary" href=${href({ name: 'waitlist', performanceId, scheduleId: s.id })}
                      aria-label=${`Join the waitlist for ${formatDateTime(s.startsAt)}`}>Join the waitlist</a>`
                : closed
                ? html`<span class="muted">Not on sale</span>`
                : html`<a class="button" href=${href({ name: 'queue', performanceId, scheduleId: s.id })}
                      aria-label=${`${notYet ? 'Join the waiting room' : 'Get tickets'} for ${formatDateTime(s.startsAt)}`}>${notYet ? 'Join the waiting room' : 'Get tickets'}</a>`}
            </li>`)}
        </ul>
        ${ctx.session.isSignedIn() ? nothing : html`<p class="hint">You will be asked to log in before you join the line.</p>`}
      </section>`;
  };
  return { get title() { return performance.value?.title ?? 'Performance'; }, render };
};
