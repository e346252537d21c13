// The organiser's view of a sale and its door, on the admin page: for the chosen performance and
// date, live charts of the waiting room (fans waiting, admissions per minute), seats sold, and the
// tickets (issued, checked in, revoked per minute, entries per gate), from the start of the sale
// (each service's per-minute history, read once) and then refreshed every few seconds.
// Where each figure comes from: lib/sale-charts.ts.

import { html, nothing } from 'lit-html';
import { ref } from 'lit-html/directives/ref.js';
import { problemMessage } from '../api/http.ts';
import type { Schedule } from '../api/types.ts';
import { formatDateTime } from '../lib/format.ts';
import { addSample, gateSeries, historySamples, liveSeries, ticketSeries, timelineTotals, withHistory, type SaleSample, type Timeline } from '../lib/sale-charts.ts';
import { startPolling, type Poller } from '../lib/poll.ts';
import type { PageContext } from '../ui/page.ts';
import { lineChart, type LiveChart } from '../ui/sale-charts.ts';

const REFRESH_MS = 5_000;
/** The last day, a minute a point: as far back as the waiting room keeps its samples, so a whole on-sale fits. */
const TIMELINE_MINUTES = 1440;
/** The page's own samples kept after the history: an hour at REFRESH_MS. */
const LIVE_SAMPLES = 720;
type ChartName = 'waiting' | 'tickets' | 'gates';

export function salePanel(ctx: PageContext) {
  let performanceId: string | undefined;
  let schedules: Schedule[] = [];
  let scheduleId: string | undefined;
  let samples: SaleSample[] = [];
  /** Per minute, before the page opened: waiting room and booking's own history. */
  let history: SaleSample[] = [];
  let timeline: Timeline | undefined;
  let problem: string | undefined;
  let poller: Poller | undefined;
  /** Bumped on each new choice: an answer for the previous performance or date is dropped. */
  let watching = 0;
  const hosts: Partial<Record<ChartName, HTMLElement>> = {};
  const charts: Partial<Record<ChartName, LiveChart>> = {};

  const chart = (name: ChartName, make: (host: HTMLElement) => LiveChart) => {
    const host = hosts[name];
    if (!host) return undefined;
    return (charts[name] ??= make(host));
  };
  const draw = () => {
    const shown = withHistory(history, samples, TIMELINE_MINUTES + LIVE_SAMPLES);
    if (shown.length) chart('waiting', (h) => lineChart(h, { title: 'Waiting room and sales', yLabel: 'fans, seats', rightAxis: 'Admissions per minute' }))?.set(liveSeries(shown));
    if (timeline) {
      chart('tickets', (h) => lineChart(h, { title: 'Tickets per minute', yLabel: 'tickets' }))?.set(ticketSeries(timeline));
      chart('gates', (h) => lineChart(h, { title: 'Check-ins per minute, per gate', yLabel: 'entries' }))?.set(gateSeries(timeline));
    }
  };
  const clearCharts = () => {
    for (const name of Object.keys(charts) as ChartName[]) charts[name]?.destroy();
    for (const name of Object.keys(charts) as ChartName[]) delete charts[name];
  };

  const watch = (performance: string, schedule: string) => {
    poller?.stop();
    clearCharts();
    samples = [];
    history = [];
    timeline = undefined;
    problem = undefined;
    const generation = ++watching;
    let historyLoaded = false;
    poller = startPolling(async () => {
      if (!historyLoaded) {
        // once per choice, before the first live sample: the live ones are appended after it
        historyLoaded = true;
        const [queueHistory, salesHistory] = await Promise.allSettled([
          ctx.api.queueTimeline(performance, TIMELINE_MINUTES),
          ctx.api.salesTimeline(schedule, TIMELINE_MINUTES),
        ]);
        if (generation !== watching) return REFRESH_MS;
        history = historySamples(
          queueHistory.status === 'fulfilled' ? queueHistory.value : undefined,
          salesHistory.status === 'fulfilled' ? salesHistory.value : undefined,
        );
      }
      // Three services, three reads: one failing (say, booking busy) leaves the others' figures on screen.
      const [queue, seats, ticketsTimeline] = await Promise.allSettled([
        ctx.api.getQueue(performance),
        ctx.api.getSeats(schedule),
        ctx.api.checkInTimeline(performance, schedule, TIMELINE_MINUTES),
      ]);
      if (generation !== watching) return REFRESH_MS;
      if (ticketsTimeline.status === 'fulfilled') timeline = ticketsTimeline.value;
      if (queue.status === 'fulfilled' || seats.status === 'fulfilled') {
        const last = samples.at(-1) ?? history.at(-1);
        samples = addSample(samples, {
          at: Date.now(),
          waiting: queue.status === 'fulfilled' ? queue.value.waiting : last?.waiting ?? 0,
          admittedPerMinute: queue.status === 'fulfilled' ? queue.value.admitRatePerMinute : last?.admittedPerMinute ?? 0,
          seatsSold: seats.status === 'fulfilled' ? seats.value.items.filter((s) => s.status === 'SOLD').length : last?.seatsSold ?? 0,
        }, LIVE_SAMPLES);
      }
      const failed = [queue, seats, ticketsTimeline].find((r) => r.status === 'rejected');
      problem = failed ? problemMessage(failed.reason) : undefined;
      ctx.update();
      queueMicrotask(draw);
      return REFRESH_MS;
    });
  };

  const select = async (id: string) => {
    performanceId = id;
    schedules = [];
    scheduleId = undefined;
    watching++;
    poller?.stop();
    clearCharts();
    try {
      schedules = (await ctx.api.getPerformance(id)).schedules;
      scheduleId = schedules[0]?.id;
      if (scheduleId) watch(id, scheduleId);
    } catch (error) {
      problem = problemMessage(error);
    }
    ctx.update();
  };

  const host = (name: ChartName) => ref((el) => {
    if (el) hosts[name] = el as HTMLElement;
    else delete hosts[name];
  });

  const summary = () => {
    const last = samples.at(-1);
    const totals = timeline && timelineTotals(timeline);
    return html`<dl class="queue-stats" data-testid="sale-figures">
      <div><dt>Waiting</dt><dd>${last?.waiting ?? '–'}</dd></div>
      <div><dt>Admissions per minute</dt><dd>${last?.admittedPerMinute ?? '–'}</dd></div>
      <div><dt>Seats sold</dt><dd>${last?.seatsSold ?? '–'}</dd></div>
      <div><dt>Tickets issued</dt><dd>${totals?.issued ?? '–'}</dd></div>
      <div><dt>Checked in</dt><dd>${totals?.checkedIn ?? '–'}</dd></div>
      <div><dt>Revoked</dt><dd>${totals?.revoked ?? '–'}</dd></div>
      ${totals ? Object.entries(totals.gates).sort().map(([gate, n]) => html`<div><dt>Gate ${gate}</dt><dd>${n}</dd></div>`) : nothing}
    </dl>`;
  };

  /** Says from when the charts run: the sale's start when the history reached back that far. */
  const since = () => {
    const first = withHistory(history, samples, TIMELINE_MINUTES + LIVE_SAMPLES)[0];
    if (!first) return nothing;
    const at = new Date(first.at).toISOString();
    return html`<p class="muted" data-testid="sale-since">Waiting room and sales charted from <time datetime=${at}>${formatDateTime(at)}</time>.</p>`;
  };

  return {
    select,
    render: () => html`
      <section class="panel sale-panel" aria-labelledby="sale-heading">
        <h2 id="sale-heading">Sale and door</h2>
        ${schedules.length > 1 ? html`<div class="field"><label for="sale-schedule">Date</label>
          <select id="sale-schedule" @change=${(e: Event) => { scheduleId = (e.target as HTMLSelectElement).value; if (performanceId) watch(performanceId, scheduleId); }}>
            ${schedules.map((s) => html`<option value=${s.id} ?selected=${s.id === scheduleId}>${formatDateTime(s.startsAt)}</option>`)}
          </select></div>` : nothing}
        ${performanceId ? summary() : html`<p class="muted">Choose a performance above.</p>`}
        ${since()}
        ${problem ? html`<p class="form-error" role="alert">${problem}</p>` : nothing}
        <figure class="sale-chart" data-testid="chart-waiting" ${host('waiting')} aria-label="Waiting fans, admissions per minute and seats sold over time"></figure>
        <figure class="sale-chart" data-testid="chart-tickets" ${host('tickets')} aria-label="Tickets issued, checked in and revoked per minute"></figure>
        <figure class="sale-chart" data-testid="chart-gates" ${host('gates')} aria-label="Check-ins per minute at each gate"></figure>
      </section>`,
    dispose: () => {
      poller?.stop();
      clearCharts();
    },
  };
}
