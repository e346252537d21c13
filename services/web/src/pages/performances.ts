// Home: every performance on sale or coming up, with when booking opens.

import { html, nothing } from 'lit-html';
import type { PerformanceSummary } from '../api/types.ts';
import { formatDateTime } from '../lib/format.ts';
import { href } from '../lib/routes.ts';
import { loadError, loading, pageHeading } from '../ui/parts.ts';
import { resource, type PageFactory } from '../ui/page.ts';

/** The catalog's status in words, with the date that matters for it. */
function bookingWindow(p: PerformanceSummary): string {
  switch (p.status) {
    case 'UPCOMING': return `Booking opens ${formatDateTime(p.bookingOpensAt)}`;
    case 'ON_SALE': return `On sale until ${formatDateTime(p.bookingClosesAt)}`;
    case 'SOLD_OUT': return 'Sold out';
    case 'CLOSED': return 'Booking closed';
    case 'CANCELLED': return 'Cancelled';
    default: return `Booking ${formatDateTime(p.bookingOpensAt)} – ${formatDateTime(p.bookingClosesAt)}`;
  }
}

export const performancesPage: PageFactory = (ctx) => {
  const list = resource(ctx, () => ctx.api.listPerformances());
  return {
    title: 'Performances',
    render: () => html`
      ${pageHeading('Performances')}
      <p class="lede">Pick a show. When it is busy you wait in a fair, first-come line, then choose your seats.</p>
      ${list.error ? loadError(list.error, () => void list.reload()) : nothing}
      ${list.loading && !list.value ? loading('Loading performances…') : nothing}
      ${list.value && list.value.items.length === 0 ? html`<p class="empty">No performances yet. Check back soon.</p>` : nothing}
      <ul class="card-list" aria-label="Performances">
        ${(list.value?.items ?? []).map((p) => html`
          <li class="card">
            <h2><a href=${href({ name: 'performance', performanceId: p.id })}>${p.title}</a></h2>
            <p class="venue">${p.venue}</p>
            <p class=${`window status-${p.status.toLowerCase()}`}>${bookingWindow(p)}</p>
          </li>`)}
      </ul>`,
  };
};
