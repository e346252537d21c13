// Home: every performance on sale or coming up, with when booking opens.

import { html, nothing } from 'lit-html';
import type { PerformanceSummary } from '../api/types.ts';
import { formatDateTime } from '../lib/format.ts';
import { href } from '../lib/routes.ts';
import { loadError, loading, pageHeading } from '../ui/parts.ts';
import { resource, type PageFactory } from '../ui/page.ts';

function bookingWindow(p: PerformanceSummary, now = Date.now()): string {
  if (now < Date.parse(p.bookingOpensAt)) return `Booking opens ${formatDateTime(p.bookingOpensAt)}`;
  if (now > Date.parse(p.bookingClosesAt)) return 'Booking closed';
  return `On sale until ${formatDateTime(p.bookingClosesAt)}`;
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
            <p class="window">${bookingWindow(p)}</p>
          </li>`)}
      </ul>`,
  };
};
