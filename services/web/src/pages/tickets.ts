// My tickets: each ticket with its QR (rotating codes re-made on the page every step, from the
// ticket's own key, so they work offline at the door), seat, date and status, an .ics file, and a
// transfer by e-mail. State changes go through the pure reducer in lib/my-tickets.ts.

import { html, nothing } from 'lit-html';
import QRCode from 'qrcode';
import { fromBase64Url, rotateCode } from '@ticketping/tickets/codes';
import { problemMessage } from '../api/http.ts';
import type { Ticket } from '../api/types.ts';
import { formatDateTime } from '../lib/format.ts';
import { initialMyTickets, myTicketsReducer, secondsToNextStep, showsCode, stepOf, ticketLabel, ticketSeat, type MyTicketsEvent } from '../lib/my-tickets.ts';
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
        ${transferForm(ticket)}
      </div>` : nothing}
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
