// The waitlist of a sold-out performance, one card per date: join (seats wanted, within the
// per-person limit) or leave, the fan's place and the line's length, and an offer with a live
// countdown to its claim deadline; claiming makes an order that the checkout page pays.
// What the page shows changes only through lib/waitlist-page.ts; this file runs its commands.

import { html, nothing, type TemplateResult } from 'lit-html';
import { ApiError } from '../api/http.ts';
import type { ProofOfWorkSolution, WaitlistEntry, WaitlistOffer } from '../api/types.ts';
import { countdownView, thresholdCrossed } from '../lib/countdown.ts';
import { formatDateTime, formatMoney, seatLabel } from '../lib/format.ts';
import { startPolling, type Poller } from '../lib/poll.ts';
import { solveInWorker } from '../pow/solve.ts';
import { href } from '../lib/routes.ts';
import {
  claimCountdownAnnouncement, initialWaitlist, joinBlocker, limitOf, reduceWaitlist, type DateState, type Notice, type Refusal, type WaitlistCommand, type WaitlistEvent, type WaitlistPageState,
} from '../lib/waitlist-page.ts';
import { loadError, loading, pageHeading, proofOfWorkProgress } from '../ui/parts.ts';
import { resource, type PageFactory } from '../ui/page.ts';

const offerStatusLabels: Record<WaitlistOffer['status'], string> = {
  OPEN: 'Open', CLAIMED: 'Claimed', EXPIRED: 'Ran out', DECLINED: 'Declined', WITHDRAWN: 'Withdrawn',
};

function refusalOf(error: unknown): Refusal | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const offerStatus = error.problem.offerStatus;
  return { status: error.status, code: error.code, message: error.message, retryAfterSeconds: error.retryAfterSeconds, ...(typeof offerStatus === 'string' ? { offerStatus } : {}) };
}

export const waitlistPage: PageFactory = (ctx) => {
  if (ctx.route.name !== 'waitlist') throw new Error('route mismatch');
  const { performanceId, scheduleId: chosenSchedule } = ctx.route;
  const signedIn = ctx.session.isSignedIn();
  let state: WaitlistPageState | undefined;
  /** The dates, known before the first entry is read (announcements name them). */
  let dates: { id: string; startsAt: string }[] = [];
  let disposed = false;
  const pollers = new Map<string, Poller>();
  /** Per offer, the time left at the last tick: each spoken threshold is said once. */
  const lastRemaining = new Map<string, number>();

  const performance = resource(ctx, async () => {
    const loaded = await ctx.api.getPerformance(performanceId);
    // The chosen date first: it is the one the fan came for.
    const ids = loaded.schedules.map((s) => s.id).sort((a, b) => Number(b === chosenSchedule) - Number(a === chosenSchedule));
    dates = loaded.schedules;
    state = initialWaitlist(ids, limitOf(loaded));
    if (signedIn && !disposed) {
      for (const id of ids) follow(id);
      void listOffers();
    }
    return loaded;
  });

  const dateLabel = (id: string) => {
    const startsAt = dates.find((s) => s.id === id)?.startsAt;
    return startsAt ? formatDateTime(startsAt) : 'this date';
  };

  /** Runs the event through the reducer and its commands; the delay of a poll it asks for `pollingFor`. */
  const dispatch = (event: WaitlistEvent, pollingFor?: string): number | undefined => {
    if (!state) return undefined;
    const result = reduceWaitlist(state, event, dateLabel);
    state = result.state;
    let delay: number | undefined;
    for (const command of result.commands) {
      const ms = run(command, pollingFor);
      if (ms !== undefined) delay = ms;
    }
    ctx.update();
    return delay;
  };

  const run = (command: WaitlistCommand, pollingFor: string | undefined): number | undefined => {
    switch (command.kind) {
      case 'poll-in':
        if (command.scheduleId === pollingFor) return command.ms;
        follow(command.scheduleId);
        return undefined;
      case 'join': void join(command.scheduleId, command.seats); return undefined;
      case 'leave': void leave(command.scheduleId); return undefined;
      case 'claim': void claim(command.scheduleId, command.offerId); return undefined;
      case 'checkout': ctx.navigate(href({ name: 'checkout', orderId: command.orderId })); return undefined;
      case 'list-offers': void listOffers(); return undefined;
      case 'sign-in': ctx.navigate(href({ name: 'login', next: location.hash }), { replace: true }); return undefined;
      case 'announce': ctx.announce(command.text); return undefined;
    }
  };

  /** Reads the fan's entry for a date now, and again as long as the reducer asks. */
  const follow = (scheduleId: string) => {
    if (disposed) return;
    const running = pollers.get(scheduleId);
    if (running) return running.pollNow();
    const poller = startPolling(async () => {
      let delay: number | undefined;
      try {
        delay = dispatch({ type: 'entry', scheduleId, entry: await ctx.api.getWaitlistEntry(scheduleId) }, scheduleId);
      } catch (error) {
        delay = dispatch({ type: 'failed', scheduleId, action: 'load', refusal: refusalOf(error) }, scheduleId);
      }
      if (delay === undefined && pollers.get(scheduleId) === poller) pollers.delete(scheduleId);
      return delay;
    });
    pollers.set(scheduleId, poller);
  };

  const listOffers = async () => {
    try {
      const { items } = await ctx.api.listWaitlistOffers();
      dispatch({ type: 'offers', offers: items.filter((o) => o.performanceId === performanceId) });
    } catch {
      // Only the history and a claimed order's link wait on it: the next change reads it again.
    }
  };

  /**
   * A join carries a proof-of-work like an entry to the waiting room (the queue's challenge for
   * this performance, solved in a worker while the join form shows progress). Always solved and
   * sent, also when the challenge says it is not required (then it takes one try); without a
   * waiting room there is no challenge and the join goes without.
   */
  const solver = new AbortController();
  const proofForJoin = async (scheduleId: string): Promise<ProofOfWorkSolution | undefined> => {
    let challenge;
    try {
      challenge = await ctx.api.queueChallenge(performanceId);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'QUEUE_NOT_FOUND') return undefined;
      throw error;
    }
    const progress = (tried: number) => void dispatch({ type: 'solving', scheduleId, tried, maxnumber: challenge.maxnumber });
    const { algorithm, challenge: hash, number, salt, signature } = await solveInWorker(challenge, progress, solver.signal);
    return { algorithm, challenge: hash, number, salt, signature };
  };

  /** The one place the page joins a waitlist (whatever a join must carry is added in the API call). */
  const join = async (scheduleId: string, seats: number) => {
    try {
      const proofOfWork = await proofForJoin(scheduleId);
      const { entry, created } = await ctx.api.joinWaitlist(scheduleId, { seats, ...(proofOfWork ? { proofOfWork } : {}) });
      if (created) ctx.track('waitlist_joined', { performanceId, scheduleId });
      dispatch({ type: 'joined', scheduleId, entry, created });
    } catch (error) {
      dispatch({ type: 'failed', scheduleId, action: 'join', refusal: refusalOf(error) });
    }
  };

  const leave = async (scheduleId: string) => {
    try {
      const entry = await ctx.api.leaveWaitlist(scheduleId);
      ctx.track('waitlist_left', { performanceId, scheduleId });
      dispatch({ type: 'left', scheduleId, entry });
    } catch (error) {
      dispatch({ type: 'failed', scheduleId, action: 'leave', refusal: refusalOf(error) });
    }
  };

  const claim = async (scheduleId: string, offerId: string) => {
    try {
      const order = await ctx.api.claimWaitlistOffer(offerId);
      ctx.track('waitlist_claimed', { performanceId, scheduleId });
      dispatch({ type: 'claimed', scheduleId, order });
    } catch (error) {
      dispatch({ type: 'failed', scheduleId, action: 'claim', refusal: refusalOf(error) });
    }
  };

  // The countdown: redrawn every second while an offer is open, spoken at 5, 2 and 1 minute and 30 s.
  const ticker = setInterval(() => {
    if (!state) return;
    const now = Date.now();
    const open = Object.values(state.dates).filter((d) => d.phase === 'offered' && d.entry?.offer);
    if (open.length === 0) return;
    for (const date of open) {
      const offer = date.entry!.offer!;
      const remaining = countdownView(offer.expiresAt, now).remainingMs;
      const crossed = thresholdCrossed(lastRemaining.get(offer.id) ?? Number.POSITIVE_INFINITY, remaining);
      if (crossed !== undefined) ctx.announce(claimCountdownAnnouncement(crossed));
      lastRemaining.set(offer.id, remaining);
    }
    dispatch({ type: 'tick', nowMs: now });
  }, 1000);

  // --- rendering ------------------------------------------------------------------------------

  const noticeView = (notice: Notice | undefined, scheduleId: string): TemplateResult | typeof nothing => {
    if (!notice) return nothing;
    const action = notice.action === 'book' ? html`<a class="button" href=${href({ name: 'queue', performanceId, scheduleId })}>Get tickets</a>`
      : notice.action === 'verify' ? html`<a class="button" href=${href({ name: 'verify', next: location.hash })}>Confirm my address</a>`
      : notice.action === 'bookings' ? html`<a href=${href({ name: 'bookings' })}>My bookings</a>`
      : nothing;
    return html`<div class=${`notice ${notice.tone === 'error' ? 'notice-error' : ''}`} role=${notice.tone === 'error' ? 'alert' : 'status'}><p>${notice.text}</p>${action}</div>`;
  };

  const joinForm = (scheduleId: string, date: DateState, limit: number) => {
    const id = `seats-${scheduleId}`;
    const busy = date.phase === 'joining';
    return html`<form class="form waitlist-join" novalidate @submit=${(e: SubmitEvent) => { e.preventDefault(); dispatch({ type: 'join', scheduleId }); }}>
      <div class="field"><label for=${id}>Seats wanted</label>
        <input id=${id} type="number" inputmode="numeric" min="1" max=${limit} .value=${date.seats} ?disabled=${busy}
          @input=${(e: Event) => dispatch({ type: 'seats-input', scheduleId, value: (e.target as HTMLInputElement).value })}
          aria-invalid=${date.seatsError ? 'true' : 'false'} aria-describedby=${`${id}-hint${date.seatsError ? ` ${id}-error` : ''}`}>
        <p id=${`${id}-hint`} class="hint">Up to ${limit} ${limit === 1 ? 'seat' : 'seats'}. An offer may hold fewer if fewer come back.</p>
        ${date.seatsError ? html`<p id=${`${id}-error`} class="field-error">${date.seatsError}</p>` : nothing}</div>
      ${busy && date.solving ? html`<div class="field" data-testid="proof-of-work">${proofOfWorkProgress(`pow-${scheduleId}`, 'Checking this browser before it joins', date.solving, 'off the waitlist')}</div>` : nothing}
      <button class="button primary" type="submit" ?disabled=${busy}>${busy ? 'Joining…' : 'Join the waitlist'}</button>
    </form>`;
  };

  const placeView = (entry: WaitlistEntry, busy: boolean, scheduleId: string) => html`
    <dl class="queue-facts">
      <div><dt>Your place</dt><dd data-testid="waitlist-place">${entry.place.toLocaleString('en')}</dd></div>
      <div><dt>Fans waiting</dt><dd data-testid="waitlist-length">${entry.waiting.toLocaleString('en')}</dd></div>
      <div><dt>Seats wanted</dt><dd>${entry.seatsWanted}</dd></div>
    </dl>
    <p class="live-sentence" aria-live="polite" aria-atomic="true">You are number ${entry.place.toLocaleString('en')} of ${entry.waiting.toLocaleString('en')} on the waitlist.</p>
    <p class="muted">Keep this page open or come back later: seats that come back are offered here, in the order fans joined.</p>
    <button type="button" class="button secondary" ?disabled=${busy} @click=${() => dispatch({ type: 'leave', scheduleId })}>${busy ? 'Leaving…' : 'Leave the waitlist'}</button>`;

  const offerView = (offer: WaitlistOffer, date: DateState, scheduleId: string) => {
    const countdown = countdownView(offer.expiresAt, Date.now());
    const expired = date.phase === 'offer-expired';
    const busy = date.phase === 'claiming' || date.phase === 'leaving';
    return html`<div class="offer" data-testid="waitlist-offer">
      <h3>${expired ? 'Your offer ran out' : offer.seats.length === 1 ? 'A seat is offered to you' : `${offer.seats.length} seats are offered to you`}</h3>
      <ul class="chosen">${offer.seats.map((s) => html`<li>${seatLabel(s)} · ${formatMoney(s.price, offer.currency)}</li>`)}</ul>
      <p class="total">Total <strong>${formatMoney(offer.amount, offer.currency)}</strong></p>
      ${expired
        ? html`<p class="notice notice-error" role="alert">The claim window closed at ${new Date(offer.expiresAt).toLocaleTimeString()}; the seats go to the next fan.</p>`
        : html`<p class=${`hold-timer ${countdown.urgent ? 'urgent' : ''}`}>Claim within <span role="timer" aria-label=${`${countdown.text} left to claim`}>${countdown.text}</span></p>
          <button type="button" class="button primary" ?disabled=${busy} @click=${() => dispatch({ type: 'claim', scheduleId })}>${date.phase === 'claiming' ? 'Claiming…' : 'Claim seats and pay'}</button>
          <button type="button" class="button secondary" ?disabled=${busy} @click=${() => dispatch({ type: 'leave', scheduleId })}>No thanks: pass them on and leave the waitlist</button>`}
    </div>`;
  };

  const dateBody = (scheduleId: string, date: DateState, limit: number) => {
    const entry = date.entry;
    switch (date.phase) {
      case 'loading': return loading('Checking the waitlist…');
      case 'not-joined': case 'joining': return joinForm(scheduleId, date, limit);
      case 'waiting': return entry ? placeView(entry, false, scheduleId) : nothing;
      case 'leaving': return entry?.offer ? offerView(entry.offer, date, scheduleId) : entry ? placeView(entry, true, scheduleId) : nothing;
      case 'offered': case 'offer-expired': case 'claiming': return entry?.offer ? offerView(entry.offer, date, scheduleId) : nothing;
      case 'claimed': return html`<div class="notice notice-ok" role="status"><p>You claimed seats from this waitlist.</p>
        ${date.orderId ? html`<a class="button primary" href=${href({ name: 'checkout', orderId: date.orderId })}>Pay for your order</a>` : html`<a href=${href({ name: 'bookings' })}>My bookings</a>`}</div>`;
    }
  };

  const dateCard = (scheduleId: string, date: DateState, limit: number) => {
    return html`<section class="panel waitlist-date" aria-labelledby=${`date-${scheduleId}`}>
      <h2 id=${`date-${scheduleId}`}>${dateLabel(scheduleId)}</h2>
      ${noticeView(date.notice, scheduleId)}
      ${date.retrying ? html`<p class="notice" role="status">Connection lost. Reconnecting… Your place is kept.</p>` : nothing}
      ${dateBody(scheduleId, date, limit)}
    </section>`;
  };

  const offersHistory = (offers: WaitlistOffer[]) => offers.length === 0 ? nothing : html`
    <section class="panel" aria-labelledby="offers-heading">
      <h2 id="offers-heading">Your offers</h2>
      <ul class="offer-history">${offers.map((o) => html`<li>
        <span class=${`badge badge-offer-${o.status.toLowerCase()}`}>${offerStatusLabels[o.status]}</span>
        ${dateLabel(o.scheduleId)} · ${o.seats.map(seatLabel).join(', ')} · ${formatMoney(o.amount, o.currency)}
        ${o.status === 'CLAIMED' && o.orderId ? html` · <a href=${href({ name: 'checkout', orderId: o.orderId })}>Order</a>` : nothing}</li>`)}</ul>
    </section>`;

  const blockedView = (blocker: 'sign-in' | 'verify') => blocker === 'sign-in'
    ? html`<div class="notice" role="alert"><p>Log in to join the waitlist: your place belongs to your account.</p>
        <a class="button" href=${href({ name: 'login', next: location.hash })}>Log in</a> <a href=${href({ name: 'signup', next: location.hash })}>Create an account</a></div>`
    : html`<div class="notice notice-error" role="alert"><p>This sale admits only confirmed e-mail addresses, on its waitlist too. Follow the link in the mail we sent when you signed up, then come back.</p>
        <a class="button" href=${href({ name: 'verify', next: location.hash })}>Confirm my address</a></div>`;

  return {
    title: 'Waitlist',
    render: () => {
      const p = performance.value;
      if (!p) return html`${pageHeading('Waitlist')}${performance.error ? loadError(performance.error, () => void performance.reload()) : loading('Loading the performance…')}`;
      const blocker = joinBlocker({ signedIn, requireVerifiedEmail: p.requireVerifiedEmail, emailVerified: ctx.session.user?.emailVerified });
      return html`
        <nav aria-label="Breadcrumb" class="crumbs"><a href="#/">Performances</a> <span aria-hidden="true">›</span>
          <a href=${href({ name: 'performance', performanceId })}>${p.title}</a> <span aria-hidden="true">›</span> <span aria-current="page">Waitlist</span></nav>
        ${pageHeading('Waitlist')}
        <p class="lede"><strong>${p.title}</strong> · ${p.venue}</p>
        <p>When every seat is taken, seats that come back (a hold that runs out, a cancelled or refunded order, a ticket returned for resale)
          are offered to the fans on the waitlist, one by one in the order they joined, at face value. An offer is held for you for a few minutes:
          claim it here, then pay as for any order.</p>
        ${blocker ? blockedView(blocker) : state ? html`
          ${Object.entries(state.dates).map(([id, date]) => dateCard(id, date, state!.limit))}
          ${offersHistory(state.offers)}` : loading()}`;
    },
    dispose: () => {
      disposed = true;
      solver.abort();
      clearInterval(ticker);
      for (const poller of pollers.values()) poller.stop();
    },
  };
};
