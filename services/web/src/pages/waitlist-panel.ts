// The organiser's waitlists on the admin page: for the chosen performance, per date, the fans
// waiting, the offers made, open, claimed, run out and declined, and the tickets returned for
// resale, listed and sold (GET /admin/waitlist, booking's own figures, the same the metrics
// ticketping_waitlist_* and ticketping_returns report), refreshed every few seconds.

import { html, nothing } from 'lit-html';
import { problemMessage } from '../api/http.ts';
import type { Schedule } from '../api/types.ts';
import { waitlistRows, type WaitlistRow } from '../lib/admin-waitlist.ts';
import { formatDateTime } from '../lib/format.ts';
import { startPolling, type Poller } from '../lib/poll.ts';
import type { PageContext } from '../ui/page.ts';

const REFRESH_MS = 5_000;

export function waitlistPanel(ctx: PageContext) {
  let schedules: Schedule[] = [];
  let rows: WaitlistRow[] | undefined;
  let problem: string | undefined;
  let poller: Poller | undefined;
  /** Bumped on each new choice: an answer for the previous performance is dropped. */
  let watching = 0;

  const select = async (performanceId: string) => {
    const generation = ++watching;
    poller?.stop();
    rows = undefined;
    problem = undefined;
    try {
      const performance = await ctx.api.getPerformance(performanceId);
      if (generation !== watching) return;
      schedules = performance.schedules;
    } catch (error) {
      problem = problemMessage(error);
      ctx.update();
      return;
    }
    poller = startPolling(async () => {
      try {
        const { items } = await ctx.api.waitlistStats();
        if (generation !== watching) return undefined;
        rows = waitlistRows(schedules, items.filter((s) => s.performanceId === performanceId));
        problem = undefined;
      } catch (error) {
        if (generation !== watching) return undefined;
        problem = problemMessage(error);
      }
      ctx.update();
      return REFRESH_MS;
    });
  };

  const table = (list: WaitlistRow[]) => html`
    <table class="figures-table">
      <caption>Fans waiting, offers and returned tickets, per date</caption>
      <thead><tr><th scope="col">Date</th><th scope="col">Waiting</th><th scope="col">Offers made</th><th scope="col">Open</th>
        <th scope="col">Claimed</th><th scope="col">Ran out</th><th scope="col">Declined</th>
        <th scope="col">Returns listed</th><th scope="col">Returns sold</th></tr></thead>
      <tbody>${list.map((r) => html`<tr><th scope="row">${formatDateTime(r.startsAt)}</th><td>${r.waiting}</td><td>${r.made}</td><td>${r.open}</td>
        <td>${r.claimed}</td><td>${r.expired}</td><td>${r.declined}</td><td>${r.returnsListed}</td><td>${r.returnsSold}</td></tr>`)}</tbody>
    </table>`;

  return {
    select,
    render: () => html`
      <section class="panel" aria-labelledby="waitlists-heading">
        <h2 id="waitlists-heading">Waitlists</h2>
        <p class="muted">Seats that come back after a sell-out are offered to each date's waitlist in order; an offer not claimed in time moves on.</p>
        ${rows ? table(rows) : problem ? nothing : html`<p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>Loading the waitlists…</p>`}
        ${problem ? html`<p class="form-error" role="alert">${problem}</p>` : nothing}
      </section>`,
    dispose: () => {
      watching++;
      poller?.stop();
    },
  };
}
