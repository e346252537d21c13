// Seat selection for one date, inside the fan's admission window. The map refreshes by polling so
// seats others hold or buy turn grey while the fan looks; a chosen seat someone else takes is
// dropped from the selection and the fan is told which.

import { html, nothing } from 'lit-html';
import { ApiError, newIdempotencyKey, problemMessage } from '../api/http.ts';
import type { Performance, Seat } from '../api/types.ts';
import { countdownView } from '../lib/countdown.ts';
import { formatDateTime, formatMoney, seatLabel } from '../lib/format.ts';
import { queuePasses } from '../lib/memory.ts';
import { nextPollDelay, startPolling } from '../lib/poll.ts';
import { href } from '../lib/routes.ts';
import { layoutSeats, moveFocus, reconcileSelection, selectionTotal, toggleSeat, type SeatSection } from '../lib/seat-selection.ts';
import { formError, loadError, loading, pageHeading } from '../ui/parts.ts';
import type { PageFactory } from '../ui/page.ts';
import { seatLegend, seatMap } from '../ui/seat-map.ts';

/** How often the map refreshes while open (the seat list is cacheable and cheap for the catalog). */
const SEAT_REFRESH_MS = 3_000;

export const seatsPage: PageFactory = (ctx) => {
  if (ctx.route.name !== 'seats') throw new Error('route mismatch');
  const { performanceId, scheduleId } = ctx.route;
  const pass = queuePasses.get(performanceId);
  if (!ctx.session.isSignedIn() || !pass) {
    // No admission for this performance in this tab: the waiting room finds or creates it.
    ctx.navigate(href({ name: 'queue', performanceId, scheduleId }), { replace: true });
    return { title: 'Choose seats', render: () => html`` };
  }

  let performance: Performance | undefined;
  let seats: Seat[] | undefined;
  let layout: SeatSection[] = [];
  let selection: string[] = [];
  let focusedId: string | undefined;
  let loadProblem: unknown;
  let failures = 0;
  let holding = false;
  let holdError: string | undefined;
  let holdKey: string | undefined;
  let existingOrderId: string | undefined;

  const refresh = async (): Promise<number | undefined> => {
    try {
      // Loaded inside the poll so a failed first load is retried with the same back-off as the map.
      performance ??= await ctx.api.getPerformance(performanceId);
      seats = (await ctx.api.getSeats(scheduleId)).items;
      layout = layoutSeats(seats);
      const { selection: kept, lost } = reconcileSelection(selection, seats);
      selection = kept;
      if (lost.length > 0) ctx.announce(`Sorry, ${lost.map(seatLabel).join(', ')} ${lost.length === 1 ? 'was' : 'were'} just taken by someone else.`);
      if (!focusedId || !seats.some((s) => s.id === focusedId)) focusedId = (seats.find((s) => s.status === 'AVAILABLE') ?? seats[0])?.id;
      failures = 0;
      loadProblem = undefined;
      return SEAT_REFRESH_MS;
    } catch (error) {
      failures += 1;
      if (!seats || !performance) loadProblem = error;
      return nextPollDelay({ pollAfterMs: SEAT_REFRESH_MS, consecutiveFailures: failures });
    } finally {
      ctx.update();
    }
  };
  const poller = startPolling(refresh);
  const ticker = setInterval(() => ctx.update(), 1000); // the admission countdown

  const maxSeats = () => performance?.maxSeatsPerOrder ?? 1;
  const gradeIndex = (grade: string) => Math.max(0, performance?.grades.findIndex((g) => g.name === grade) ?? 0);

  const toggle = (seat: Seat) => {
    focusedId = seat.id;
    const result = toggleSeat(selection, seat, maxSeats());
    selection = result.selection;
    holdError = undefined;
    const total = selectionTotal(selection, seats ?? []);
    const totalText = total ? ` Total ${formatMoney(total.amount, total.currency)}.` : '';
    switch (result.outcome) {
      case 'added': ctx.announce(`${seatLabel(seat)} selected. ${selection.length} of ${maxSeats()} seats.${totalText}`); break;
      case 'removed': ctx.announce(`${seatLabel(seat)} removed. ${selection.length} of ${maxSeats()} seats.${totalText}`); break;
      case 'unavailable': ctx.announce(`${seatLabel(seat)} is not available.`); break;
      case 'limit': holdError = `You can choose up to ${maxSeats()} seats per order.`; ctx.announce(holdError); break;
    }
    ctx.update();
  };

  const move = (from: Seat, key: Parameters<typeof moveFocus>[2]) => {
    focusedId = moveFocus(layout, from.id, key);
    document.querySelector<HTMLElement>(`[data-seat-id="${CSS.escape(focusedId)}"]`)?.focus();
    ctx.update();
  };

  const hold = async () => {
    if (selection.length === 0 || holding) return;
    holding = true;
    holdError = undefined;
    holdKey ??= newIdempotencyKey(); // the same key if this exact attempt is retried
    ctx.update();
    try {
      const order = await ctx.api.createOrder({ scheduleId, seatIds: selection }, pass.token, holdKey);
      ctx.track('order_created', { performanceId, seats: String(selection.length) });
      ctx.navigate(href({ name: 'checkout', orderId: order.id }));
    } catch (error) {
      holdKey = undefined;
      if (error instanceof ApiError && (error.code === 'QUEUE_TOKEN_INVALID' || error.code === 'QUEUE_TOKEN_REQUIRED')) {
        queuePasses.clear(performanceId);
        ctx.navigate(href({ name: 'queue', performanceId, scheduleId }), { replace: true });
        return;
      }
      existingOrderId = error instanceof ApiError && error.code === 'ACTIVE_ORDER_EXISTS' ? (error.problem.orderId as string | undefined) : undefined;
      holdError = error instanceof ApiError && error.code === 'SEAT_UNAVAILABLE'
        ? 'Some of your seats were just taken by someone else. The map is updated: please choose again.'
        : error instanceof ApiError && error.code === 'ACTIVE_ORDER_EXISTS'
          ? 'You already have an order for this date. One order per fan and date keeps it fair.'
          : problemMessage(error);
      ctx.announce(holdError);
      poller.pollNow();
    } finally {
      holding = false;
      ctx.update();
    }
  };

  const summary = () => {
    const chosen = (seats ?? []).filter((s) => selection.includes(s.id));
    const total = selectionTotal(selection, seats ?? []);
    return html`
      <aside class="selection-panel" aria-labelledby="selection-heading">
        <h2 id="selection-heading">Your seats <span class="muted">(${selection.length} of up to ${maxSeats()})</span></h2>
        ${chosen.length === 0 ? html`<p class="muted">No seats chosen yet.</p>` : html`
          <ul class="chosen">${chosen.map((s) => html`<li>${seatLabel(s)} · ${s.grade} · ${formatMoney(s.price, s.currency)}
            <button type="button" class="link-button" aria-label=${`Remove ${seatLabel(s)}`} @click=${() => toggle(s)}>Remove</button></li>`)}</ul>`}
        ${total ? html`<p class="total">Total <strong>${formatMoney(total.amount, total.currency)}</strong></p>` : nothing}
        ${formError(holdError)}
        ${existingOrderId ? html`<p><a href=${href({ name: 'checkout', orderId: existingOrderId })}>Go to your order</a></p>` : nothing}
        <button type="button" class="button primary wide" ?disabled=${selection.length === 0 || holding} @click=${hold}>
          ${holding ? 'Holding your seats…' : 'Hold seats and pay'}</button>
      </aside>`;
  };

  const render = () => {
    const p = performance;
    const turn = countdownView(pass.expiresAt, Date.now());
    const schedule = p?.schedules.find((s) => s.id === scheduleId);
    return html`
      ${pageHeading('Choose your seats')}
      <p class="lede">${p ? html`<strong>${p.title}</strong> · ${p.venue}${schedule ? html` · ${formatDateTime(schedule.startsAt)}` : nothing}` : nothing}</p>
      <p class=${`turn-timer ${turn.urgent ? 'urgent' : ''}`}>${turn.expired
        ? html`Your turn has ended. <a href=${href({ name: 'queue', performanceId, scheduleId })}>Back to the waiting room</a>`
        : html`Your turn ends in <span role="timer">${turn.text}</span>`}</p>
      ${loadProblem ? loadError(loadProblem, () => poller.pollNow()) : nothing}
      ${!seats && !loadProblem ? loading('Loading the seat map…') : nothing}
      ${seats && p ? html`
        <div class="seats-layout">
          <section class="seat-map panel" aria-labelledby="map-heading" aria-describedby="map-help">
            <h2 id="map-heading">Seat map</h2>
            <p id="map-help" class="hint">Use the arrow keys to move between seats and Space or Enter to choose. Grey seats are taken. The map updates live.</p>
            ${seatLegend(p.grades, gradeIndex)}
            <div class="seat-canvas">${seatMap({ layout, selection, focusedId, gradeIndex, onToggle: toggle, onMove: move })}</div>
          </section>
          ${summary()}
        </div>` : nothing}`;
  };

  return {
    title: 'Choose seats',
    render,
    dispose: () => {
      poller.stop();
      clearInterval(ticker);
    },
  };
};
