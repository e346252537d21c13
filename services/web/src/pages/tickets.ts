// My tickets: each ticket with its QR (rotating codes re-made on the page every step, from the
// ticket's own key, so they work offline at the door), seat, date and status, an .ics file, a
// transfer by e-mail, and a return for resale at face value (the quote shown before the fan
// confirms, then the return's status). State changes go through the pure reducer in lib/my-tickets.ts.

import { html, nothing } from 'lit-html';
import QRCode from 'qrcode';
import { fromBase64Url, rotateCode } from '@ticketping/tickets/codes';
import { problemMessage } from '../api/http.ts';
import type { Ticket } from '../api/types.ts';
import { formatDateTime, formatMoney } from '../lib/format.ts';
import {
  canReturn, initialMyTickets, myTicketsReducer, returnLabel, secondsToNextStep, showsCode, stepOf, ticketLabel, ticketSeat, type MyTicketsEvent,
} from '../lib/my-tickets.ts';
import { href } from '../lib/routes.ts';
import { formError, loadError, loading, pageHeading } from '../ui/parts.ts';
import type { PageFactory } from '../ui/page.ts';

interface ShownCode { key: string; code: string; image: string }

export const ticketsPage: PageFactory = (ctx) => {
  if (!ctx.session.isSignedIn()) {
    ctx.navigate(href({ name: 'login', next: location.hash }), { replace: true });
    return { title: 'My tickets', render: () => html`` };
  }
  let state = initialMyTickets;
  const dispatch = (event: MyTicketsEvent) => { state = myTicketsReducer(state, event); ctx.update(); void refreshCodes(); };
  const shown = new Map<string, ShownCode>();
  let now = Date.now();

  /** The code to show now, and its QR image, re-made only when the ticket's step moved on. */
  async function refreshCodes(): Promise<void> {
    for (const ticket of state.tickets ?? []) {
      const code = ticket.code;
      if (!code || !showsCode(ticket, state.transferred[ticket.id])) { shown.delete(ticket.id); continue; }
      const key = code.mode === 'ROTATING' ? `${ticket.version}:${stepOf(now, code.stepSeconds)}` : `${ticket.version}`;
      if (shown.get(ticket.id)?.key === key) continue;
      const text = code.mode === 'ROTATING' ? await rotateCode(code.base, fromBase64Url(code.key), now) : code.code;
      const image = await QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
      shown.set(ticket.id, { key, code: text, image });
      ctx.update();
    }
  }

  let retry: ReturnType<typeof setTimeout> | undefined;
  const load = async () => {
    try {
      // Returns are booking's: asked beside the tickets, never holding them up; if booking does not
      // answer, the tickets show without their return status.
      void ctx.api.listReturns().then((returns) => dispatch({ type: 'returns-loaded', returns: returns.items }), () => undefined);
      const { items } = await ctx.api.listTickets();
      dispatch({ type: 'loaded', tickets: items });
      // Tickets are issued a moment after the payment confirms: a fan who came straight here waits for them.
      if (items.length === 0) retry = setTimeout(() => void load(), 3000);
    } catch (error) {
      dispatch({ type: 'load-failed', error });
    }
  };
  void load();
  const clock = setInterval(() => { now = Date.now(); void refreshCodes(); ctx.update(); }, 1000);

  const downloadCalendar = async (ticket: Ticket) => {
    const blob = await ctx.api.ticketCalendar(ticket.id);
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `ticket-${ticket.id}.ics`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  };

  const transfer = async (ticket: Ticket, form: HTMLFormElement) => {
    const email = new FormData(form).get('email')?.toString().trim() ?? '';
    if (!email) { dispatch({ type: 'transfer-failed', ticketId: ticket.id, message: 'Enter the e-mail address of the person’s TicketPing account.' }); return; }
    dispatch({ type: 'transfer-started', ticketId: ticket.id });
    try {
      await ctx.api.transferTicket(ticket.id, email);
      dispatch({ type: 'transfer-done', ticketId: ticket.id, email });
      ctx.announce(`Ticket sent to ${email}. Your code for it no longer works.`);
      ctx.track('ticket_transferred');
    } catch (error) {
      dispatch({ type: 'transfer-failed', ticketId: ticket.id, message: problemMessage(error) });
    }
  };

  const openReturn = async (ticket: Ticket) => {
    dispatch({ type: 'return-opened', ticketId: ticket.id });
    try {
      dispatch({ type: 'return-quoted', quote: await ctx.api.returnQuote(ticket.id) });
    } catch (error) {
      dispatch({ type: 'return-failed', ticketId: ticket.id, message: problemMessage(error) });
    }
  };

  const confirmReturn = async (ticket: Ticket) => {
    dispatch({ type: 'return-started', ticketId: ticket.id });
    try {
      dispatch({ type: 'return-done', ret: await ctx.api.returnTicket(ticket.id) });
      ctx.announce('Your ticket is listed for resale. It stays valid until a fan on the waitlist buys it.');
      ctx.track('ticket_returned');
    } catch (error) {
      dispatch({ type: 'return-failed', ticketId: ticket.id, message: problemMessage(error) });
    }
  };

  const withdrawReturn = async (ticket: Ticket, returnId: string) => {
    dispatch({ type: 'return-started', ticketId: ticket.id });
    try {
      dispatch({ type: 'return-done', ret: await ctx.api.withdrawReturn(returnId) });
      ctx.announce('Your ticket is no longer for resale.');
    } catch (error) {
      dispatch({ type: 'return-failed', ticketId: ticket.id, message: problemMessage(error) });
    }
  };

  /** The return's status, or the "Return for resale" action with the quote before the fan confirms. */
  const returnPart = (ticket: Ticket) => {
    const ret = state.returns[ticket.id];
    const label = returnLabel(ret);
    const errorId = `return-error-${ticket.id}`;
    const error = html`<div id=${errorId}>${formError(state.returnError?.ticketId === ticket.id ? state.returnError.message : undefined)}</div>`;
    if (ret && label) {
      const money = formatMoney(ret.refund, ret.currency);
      return html`<div class="ticket-return" data-return-status=${ret.status}>
        <p><span class=${`badge badge-return-${ret.status.toLowerCase()}`}>${label}</span>
          ${ret.status === 'LISTED' ? html`Offered to the waitlist at the price you paid. If it sells, ${money} comes back to your card and this ticket stops working.` : nothing}
          ${ret.status === 'SOLD' ? html`A fan on the waitlist bought it. ${money} is on its way back to your card.` : nothing}
          ${ret.status === 'REFUNDED' ? html`${money} was paid back to your card.` : nothing}
        </p>
        ${ret.status === 'LISTED' ? html`<button type="button" class="button secondary" ?disabled=${state.returnBusy === ticket.id}
          @click=${() => void withdrawReturn(ticket, ret.id)}>Keep my ticket (withdraw)</button>` : nothing}
        ${error}
      </div>`;
    }
    if (!canReturn(ticket, state.transferred[ticket.id], ret)) return nothing;
    if (state.returnOpen?.ticketId !== ticket.id) {
      return html`<button type="button" class="button secondary" @click=${() => void openReturn(ticket)}>Return for resale</button>${error}`;
    }
    const quote = state.returnOpen.quote;
    return html`<div class="ticket-return" role="group" aria-label=${`Return ${ticketSeat(ticket)} for resale`}>
      ${quote ? html`<p class="return-quote">Resold at the price you paid, ${formatMoney(quote.price, quote.currency)}. If a fan on the waitlist buys it,
        you get <strong>${formatMoney(quote.refund, quote.currency)}</strong> back (a fee of ${formatMoney(quote.fee, quote.currency)} is kept).
        Until then your ticket stays valid.</p>` : state.returnError?.ticketId === ticket.id ? nothing : loading('Working out your refund…')}
      <div class="actions">
        <button type="button" class="button" ?disabled=${!quote || state.returnBusy === ticket.id} aria-describedby=${errorId}
          @click=${() => void confirmReturn(ticket)}>Return it</button>
        <button type="button" class="button secondary" @click=${() => dispatch({ type: 'return-closed' })}>Keep it</button>
      </div>
      ${error}
    </div>`;
  };

  const qr = (ticket: Ticket) => {
    const code = shown.get(ticket.id);
    if (!code) return nothing;
    const rotating = ticket.code?.mode === 'ROTATING' ? ticket.code : undefined;
    return html`<figure class="ticket-qr">
      <img src=${code.image} width="240" height="240" alt=${`QR code of the ticket for ${ticketSeat(ticket)}`} data-code=${code.code}>
      <figcaption>${rotating ? html`Live code: changes in ${secondsToNextStep(now, rotating.stepSeconds)} s. A screenshot will not work.` : 'Show this code at the door.'}</figcaption>
    </figure>`;
  };

  const transferForm = (ticket: Ticket) => {
    if (state.transferOpen !== ticket.id) {
      return html`<button type="button" class="button secondary" @click=${() => dispatch({ type: 'transfer-opened', ticketId: ticket.id })}>Transfer ${ticketSeat(ticket)}</button>`;
    }
    const errorId = `transfer-error-${ticket.id}`;
    return html`<form class="transfer" @submit=${(e: Event) => { e.preventDefault(); void transfer(ticket, e.target as HTMLFormElement); }}>
      <label for=${`transfer-${ticket.id}`}>E-mail of the receiver’s account</label>
      <input id=${`transfer-${ticket.id}`} name="email" type="email" autocomplete="off" required aria-describedby=${errorId}>
      <p class="hint">Face value only: a transfer carries no price. Your code stops working at once.</p>
      <div class="actions">
        <button type="submit" class="button" ?disabled=${state.transferBusy === ticket.id}>Send ticket</button>
        <button type="button" class="button secondary" @click=${() => dispatch({ type: 'transfer-closed' })}>Keep it</button>
      </div>
      <div id=${errorId}>${formError(state.transferError?.ticketId === ticket.id ? state.transferError.message : undefined)}</div>
    </form>`;
  };

  const card = (ticket: Ticket) => {
    const to = state.transferred[ticket.id];
    const label = ticketLabel(ticket, to);
    return html`<li class="card ticket" data-ticket-id=${ticket.id}>
      <h2>${ticket.title ?? 'Your show'}</h2>
      <p class="status-line"><span class=${`badge badge-ticket-${label.toLowerCase()}`}>${label}</span> ${ticketSeat(ticket)}</p>
      ${ticket.startsAt ? html`<p class="when">${formatDateTime(ticket.startsAt)}</p>` : nothing}
      ${ticket.checkedInAt ? html`<p>Entered ${formatDateTime(ticket.checkedInAt)}</p>` : nothing}
      ${to ? html`<p>Sent to ${to}.</p>` : nothing}
      ${qr(ticket)}
      ${label === 'Valid' ? html`<div class="actions">
        <button type="button" class="button secondary" @click=${() => void downloadCalendar(ticket)}>Add to calendar (.ics)</button>
        ${state.returns[ticket.id]?.status === 'LISTED' ? nothing : transferForm(ticket)}
      </div>` : nothing}
      ${returnPart(ticket)}
    </li>`;
  };

  return {
    title: 'My tickets',
    render: () => html`
      ${pageHeading('My tickets')}
      ${state.loadError ? loadError(state.loadError, () => void load()) : nothing}
      ${!state.tickets && !state.loadError ? loading('Loading your tickets…') : nothing}
      ${state.tickets && state.tickets.length === 0 ? html`<p class="empty">No tickets yet. Tickets appear here a moment after a booking is confirmed. <a href="#/">Find a performance</a>.</p>` : nothing}
      <ul class="card-list" aria-label="Tickets">${(state.tickets ?? []).map(card)}</ul>`,
    dispose: () => { clearInterval(clock); clearTimeout(retry); },
  };
};
