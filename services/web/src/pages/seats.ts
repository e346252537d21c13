// Seat selection for one date, inside the fan's admission window. The map refreshes by polling so
// seats others hold or buy turn grey while the fan looks; a chosen seat someone else takes is
// dropped from the selection and the fan is told which.

import { html, nothing } from 'lit-html';
import { ApiError, newIdempotencyKey, problemMessage } from '../api/http.ts';
import type { Seat } from '../api/types.ts';
import { countdownView } from '../lib/countdown.ts';
import { formatDateTime, formatMoney, seatLabel } from '../lib/format.ts';
import { queuePasses } from '../lib/memory.ts';
import { startPolling } from '../lib/poll.ts';
import { href } from '../lib/routes.ts';
import { moveFocus, selectionTotal } from '../lib/seat-selection.ts';
import { initialSeats, maxSeats as maxSeatsOf, reduceSeats, type SeatsCommand, type SeatsEvent } from '../lib/seats-page.ts';
import { formError, loadError, loading, pageHeading } from '../ui/parts.ts';
import type { PageFactory } from '../ui/page.ts';
import { seatLegend, seatMap } from '../ui/seat-map.ts';

export const seatsPage: PageFactory = (ctx) => {
  if (ctx.route.name !== 'seats') throw new Error('route mismatch');
  const { performanceId, scheduleId } = ctx.route;
  const pass = queuePasses.get(performanceId);
  if (!ctx.session.isSignedIn() || !pass) {
    // No admission for this performance in this tab: the waiting room finds or creates it.
    ctx.navigate(href({ name: 'queue', performanceId, scheduleId }), { replace: true });
    return { title: 'Choose seats', render: () => html`` };
  }

  // What the page shows changes only through the reducer (lib/seats-page.ts); `run` does what it asks.
  let state = initialSeats();
  const dispatch = (event: SeatsEvent): SeatsCommand => {
    const result = reduceSeats(state, event);
    state = result.state;
    return result.command;
  };

  const refresh = async (): Promise<number | undefined> => {
    try {
      // Loaded inside the poll so a failed first load is retried with the same back-off as the map.
      const performance = state.performance ?? await ctx.api.getPerformance(performanceId);
      const command = dispatch({ type: 'loaded', performance, seats: (await ctx.api.getSeats(scheduleId)).items });
      if (command.kind === 'poll-in' && command.announce) ctx.announce(command.announce);
      return command.kind === 'poll-in' ? command.ms : undefined;
    } catch (error) {
      const command = dispatch({ type: 'load-failed', error });
      return command.kind === 'poll-in' ? command.ms : undefined;
    } finally {
      ctx.update();
    }
  };
  const poller = startPolling(refresh);
  const ticker = setInterval(() => ctx.update(), 1000); // the admission countdown

  const maxSeats = () => maxSeatsOf(state);
  const gradeIndex = (grade: string) => Math.max(0, state.performance?.grades.findIndex((g) => g.name === grade) ?? 0);

  const toggle = (seat: Seat) => {
    const command = dispatch({ type: 'toggle', seat });
    if (command.kind === 'announce') ctx.announce(command.text);
    ctx.update();
  };

  const move = (from: Seat, key: Parameters<typeof moveFocus>[2]) => {
    const seatId = moveFocus(state.layout, from.id, key);
    dispatch({ type: 'focus', seatId });
    document.querySelector<HTMLElement>(`[data-seat-id="${CSS.escape(seatId)}"]`)?.focus();
    ctx.update();
  };

  const hold = async () => {
    const command = dispatch({ type: 'hold', newKey: newIdempotencyKey() });
    if (command.kind !== 'create-order') return;
    ctx.update();
    try {
      const order = await ctx.api.createOrder({ scheduleId, seatIds: command.seatIds }, pass.token, command.key);
      dispatch({ type: 'held' });
      ctx.track('order_created', { performanceId, seats: String(command.seatIds.length) });
      ctx.navigate(href({ name: 'checkout', orderId: order.id }));
    } catch (error) {
      const refusal = dispatch({
        type: 'hold-failed',
        code: error instanceof ApiError ? error.code : undefined,
        orderId: error instanceof ApiError ? (error.problem.orderId as string | undefined) : undefined,
        message: problemMessage(error),
      });
      if (refusal.kind === 'to-queue') {
        queuePasses.clear(performanceId);
        ctx.navigate(href({ name: 'queue', performanceId, scheduleId }), { replace: true });
        return;
      }
      if (refusal.kind === 'refused') {
        ctx.announce(refusal.text);
        poller.pollNow();
      }
    } finally {
      ctx.update();
    }
  };

  const summary = () => {
    const { seats, selection, holdError, existingOrderId, holding } = state;
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
    const { performance: p, seats, loadProblem, layout, selection, focusedId } = state;
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
