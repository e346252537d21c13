// The waiting room. Solves the entry's proof-of-work in a Web Worker (with a progress bar), then
// polls the fan's entry at the server's pace, shows place, people ahead, a progress bar, the ETA
// and an honest word on the odds (with the figures behind it), the price range, and a field for a
// presale access code; moves on to the seat map by itself once admitted. The server keeps one
// entry per account, so a reload (or a second tab) finds the same place in line without solving again.

import { html, nothing } from 'lit-html';
import { ApiError, problemMessage } from '../api/http.ts';
import type { QueueEntry } from '../api/types.ts';
import { formatDateTime, formatEta } from '../lib/format.ts';
import { solveInWorker } from '../pow/solve.ts';
import { queueBaselines, queuePasses } from '../lib/memory.ts';
import { startPolling } from '../lib/poll.ts';
import { expiredMessage, initialQueueState, isWaiting, reduceQueue, type QueueCommand, type QueueEvent } from '../lib/queue-page.ts';
import { nextBaseline, positionSentence, queueProgress } from '../lib/queue-progress.ts';
import { href } from '../lib/routes.ts';
import { accessCodeProblem, oddsMessage, priceRange, waitlistHref } from '../lib/waiting-room-facts.ts';
import { loadError, pageHeading, proofOfWorkProgress } from '../ui/parts.ts';
import { resource, type PageFactory } from '../ui/page.ts';

export const queuePage: PageFactory = (ctx) => {
  if (ctx.route.name !== 'queue') throw new Error('route mismatch');
  const { performanceId, scheduleId } = ctx.route;
  if (!ctx.session.isSignedIn()) {
    ctx.navigate(href({ name: 'login', next: location.hash }), { replace: true });
    return { title: 'Waiting room', render: () => html`` };
  }

  const performance = resource(ctx, () => ctx.api.getPerformance(performanceId));
  // Every change of what the page shows goes through the reducer (lib/queue-page.ts); this
  // function runs its commands: polling, navigation, the pass in storage.
  let state = initialQueueState();
  const dispatch = (event: QueueEvent): QueueCommand => {
    const result = reduceQueue(state, event);
    state = result.state;
    return result.command;
  };
  const solver = new AbortController();
  const signIn = () => ctx.navigate(href({ name: 'login', next: location.hash }), { replace: true });
  // The presale-code form's own state (not the line's)
  let accessCode = '';
  let codeProblem: string | undefined;
  let codeSending = false;
  /** Sent again when the page has to re-enter (the entry was lost), so the fan keeps the lane; the server counts it once. */
  let acceptedCode: string | undefined;

  const goToSeats = (schedule: string) => ctx.navigate(href({ name: 'seats', performanceId, scheduleId: schedule }), { replace: true });

  const admitted = async (current: QueueEntry) => {
    queuePasses.set(performanceId, { token: current.queueToken!, expiresAt: current.expiresAt! });
    queueBaselines.clear(performanceId);
    ctx.track('queue_admitted', { performanceId });
    ctx.announce('It is your turn. Choose your seats.');
    const schedules = (performance.value ?? (await ctx.api.getPerformance(performanceId))).schedules;
    const only = schedules.length === 1 ? schedules[0]!.id : undefined;
    if (scheduleId ?? only) goToSeats((scheduleId ?? only)!);
    else ctx.update(); // several dates and none chosen: the page offers them
  };

  /**
   * Gets a challenge, solves it in a worker while the bar shows progress, and enters with it (in
   * the code's lane, with one). A fan already in line who sends a code keeps the place on screen
   * while it is solved (`showProgress: false`: the code form says it is checking).
   */
  const enterWithProof = async (options: { accessCode?: string | undefined; showProgress?: boolean } = {}): Promise<QueueEntry> => {
    const { showProgress = true, accessCode: withCode = acceptedCode } = options;
    const body = withCode ? { accessCode: withCode } : {};
    const challenge = await ctx.api.queueChallenge(performanceId);
    if (!challenge.required) return ctx.api.enterQueue(performanceId, body);
    const progress = (tried: number) => {
      if (!showProgress) return;
      dispatch({ type: 'solving', tried, maxnumber: challenge.maxnumber });
      ctx.update();
    };
    progress(0);
    const { ms, ...proofOfWork } = await solveInWorker(challenge, progress, solver.signal);
    ctx.track('queue_proof_of_work_solved', { performanceId, ms: String(ms) });
    return ctx.api.enterQueue(performanceId, { ...body, proofOfWork });
  };

  /**
   * Every call reads the entry first: a reload or a second tab finds the place without solving
   * a new proof-of-work. Only a fan who is not in the line (404) enters.
   */
  let entered = false;
  const fetchEntry = async (): Promise<QueueEntry> => {
    try {
      return await ctx.api.getMyEntry(performanceId);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
    const current = await enterWithProof();
    if (!entered) ctx.track('queue_entered', { performanceId });
    entered = true;
    return current;
  };

  /** Runs a command; the delay until the next poll, if any. */
  const run = async (command: QueueCommand): Promise<number | undefined> => {
    switch (command.kind) {
      case 'poll-in': return command.ms;
      case 'sign-in': signIn(); return undefined;
      case 'admitted': await admitted(command.entry); return undefined;
      case 'stop': return undefined;
    }
  };

  const failed = (error: unknown) =>
    dispatch({ type: 'failed', error, refusal: error instanceof ApiError ? { status: error.status, code: error.code, retryAfterSeconds: error.retryAfterSeconds } : undefined, at: new Date() });

  const poll = async (): Promise<number | undefined> => {
    try {
      const entry = await fetchEntry();
      const command = dispatch({ type: 'entry', entry, at: new Date() });
      if (state.phase === 'waiting') queueBaselines.set(performanceId, nextBaseline(queueBaselines.get(performanceId), entry.ahead ?? 0));
      return await run(command);
    } catch (error) {
      return run(failed(error));
    } finally {
      ctx.update();
    }
  };

  const poller = startPolling(poll);
  // A hidden tab's timers are throttled; check at once when the fan comes back.
  const onVisible = () => document.visibilityState === 'visible' && (state.phase === 'waiting' || state.phase === 'joining') && poller.pollNow();
  document.addEventListener('visibilitychange', onVisible);

  const leave = async () => {
    poller.stop();
    try {
      await ctx.api.leaveQueue(performanceId);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) {
        dispatch({ type: 'leave-failed' });
        ctx.update();
        return;
      }
    }
    queueBaselines.clear(performanceId);
    queuePasses.clear(performanceId);
    dispatch({ type: 'left' });
    ctx.track('queue_left', { performanceId });
    ctx.navigate(href({ name: 'performance', performanceId }));
  };

  const rejoin = () => {
    dispatch({ type: 'rejoin' });
    queueBaselines.clear(performanceId);
    ctx.update();
    void enterWithProof().then(() => poller.pollNow(), (error: unknown) => {
      if (failed(error).kind === 'sign-in') signIn();
      ctx.update();
    });
  };

  /** A presale code moves the fan to the code's lane (or in at once); a refusal keeps the place. */
  const submitCode = async (event: SubmitEvent) => {
    event.preventDefault();
    const code = accessCode.trim();
    if (!code) {
      codeProblem = 'Enter your code.';
      ctx.update();
      return;
    }
    codeSending = true;
    codeProblem = undefined;
    ctx.update();
    try {
      // entering with a code is an entry like any other: it carries a new proof-of-work
      const entry = await enterWithProof({ accessCode: code, showProgress: false });
      acceptedCode = code;
      entered = true;
      ctx.track('queue_access_code', { performanceId });
      const command = dispatch({ type: 'entry', entry, at: new Date() });
      if (entry.status === 'WAITING') ctx.announce(entry.lane === 'PRESALE' ? 'Code accepted: you are in the presale lane.' : 'Code accepted: you are in the priority lane.');
      if (command.kind === 'admitted') await run(command);
      else poller.pollNow();
    } catch (error) {
      codeProblem = error instanceof ApiError ? (accessCodeProblem(error.code, error.problem.detail) ?? problemMessage(error)) : problemMessage(error);
    } finally {
      codeSending = false;
      ctx.update();
    }
  };

  const codeForm = () => html`
    <form class="panel form access-code" @submit=${submitCode} novalidate aria-labelledby="code-heading">
      <h2 id="code-heading">Have a presale code?</h2>
      <div class="field"><label for="access-code">Presale code</label>
        <input id="access-code" autocomplete="off" autocapitalize="characters" spellcheck="false" .value=${accessCode}
          @input=${(e: Event) => (accessCode = (e.target as HTMLInputElement).value)}
          aria-invalid=${codeProblem ? 'true' : 'false'} aria-describedby=${codeProblem ? 'access-code-error' : nothing}></div>
      ${codeProblem ? html`<p id="access-code-error" class="field-error" role="alert">${codeProblem}</p>` : nothing}
      <button class="button secondary" type="submit" ?disabled=${codeSending}>${codeSending ? 'Checking…' : 'Use code'}</button>
    </form>`;

  /** The odds in words with the figures behind them; low odds say so at once and offer the waitlist. */
  const oddsView = (current: QueueEntry) => {
    if (!current.odds) return nothing;
    const message = oddsMessage(current.odds);
    return html`<div class=${`notice odds odds-${message.tone}`} role=${message.tone === 'warn' ? 'alert' : 'status'} data-testid="odds">
      <p><strong>${message.headline}</strong></p>
      <p class="muted">${message.basis}</p>
      ${message.tone === 'warn' ? html`<p>Rather not wait for nothing? <a href=${waitlistHref(performanceId, scheduleId)}>Join the waitlist</a>: returned seats are offered to it in order.</p>` : nothing}
    </div>`;
  };

  const waitingView = (current: QueueEntry) => {
    const ahead = current.ahead ?? 0;
    const position = current.position ?? ahead + 1;
    const progress = queueProgress(queueBaselines.get(performanceId) ?? ahead, ahead, false);
    return html`
      <div class="queue-card">
        <p class="queue-place"><span class="queue-label" id="place-label">Your place in line</span>
          <span class="queue-number" aria-labelledby="place-label">${position.toLocaleString('en')}</span></p>
        <dl class="queue-facts">
          <div><dt>People ahead of you</dt><dd data-testid="ahead">${ahead.toLocaleString('en')}</dd></div>
          <div><dt>Estimated wait</dt><dd>${formatEta(current.etaSeconds)}</dd></div>
        </dl>
        <label class="progress-label" for="queue-progress">Progress through the line: ${progress}%</label>
        <progress id="queue-progress" max="100" .value=${progress}>${progress}%</progress>
        <p class="live-sentence" aria-live="polite" aria-atomic="true">${positionSentence(position, ahead)}</p>
        ${current.lane ? html`<p class="notice notice-ok lane">${current.lane === 'PRESALE'
          ? 'Presale code accepted: you are in the presale lane, ahead of the general line.'
          : 'Priority code accepted: you are in the priority lane, ahead of the general line.'}</p>` : nothing}
        ${oddsView(current)}
        ${current.reason === 'PRE_QUEUE' && current.opensAt ? html`<p class="notice pre-queue">The sale opens ${formatDateTime(current.opensAt)}.
          Everyone who joins before then is put in a random order at the opening, so there is no need to rush;
          your place may change once then.</p>` : nothing}
      </div>`;
  };

  /** Sold out is not the end: seats that come back go to the waitlist, in the order fans joined. */
  const waitlistOffer = () => html`<p>Seats that come back are offered to the waitlist, in the order fans join it.</p>
    <p><a class="button primary" href=${href({ name: 'waitlist', performanceId, ...(scheduleId ? { scheduleId } : {}) })}>Join the waitlist</a></p>`;

  const statusView = () => {
    const { phase, entry, problem } = state;
    switch (phase) {
      case 'joining': return html`<div class="queue-card"><p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>Finding your place in line…</p></div>`;
      case 'solving':
        return html`<div class="queue-card" data-testid="proof-of-work"><p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>Checking this browser before it joins the line…</p>
          ${proofOfWorkProgress('pow-progress', 'Check', state.solving ?? { tried: 0, maxnumber: 1 }, 'from crowding the line')}</div>`;
      case 'waiting': return entry ? waitingView(entry) : nothing;
      case 'admitted': {
        const schedules = performance.value?.schedules ?? [];
        return html`<div class="queue-card admitted" role="status"><p class="queue-big-message">It is your turn!</p>
          ${scheduleId || schedules.length <= 1 ? html`<p>Taking you to seat selection…</p>` : html`
            <p>Choose a date to pick your seats:</p>
            <ul class="schedule-list">${schedules.map((s) => html`<li><span class="date">${formatDateTime(s.startsAt)}</span>
              <a class="button" href=${href({ name: 'seats', performanceId, scheduleId: s.id })}>Choose seats</a></li>`)}</ul>`}</div>`;
      }
      case 'expired': return html`<div class="queue-card" role="alert"><p class="queue-big-message">${expiredMessage(entry?.reason)}</p>
        ${state.offerWaitlist ? waitlistOffer() : html`<button type="button" class="button" @click=${rejoin}>Join the line again</button>`}</div>`;
      case 'closed': return html`<div class="notice notice-error" role="alert"><p>${problem}</p>
        ${state.offerWaitlist ? waitlistOffer() : nothing}<a href=${href({ name: 'performance', performanceId })}>Back to the performance</a></div>`;
      case 'unverified': return html`<div class="notice notice-error" role="alert"><p>${problem}</p>
        <a class="button" href=${href({ name: 'verify', next: location.hash })}>Confirm my address</a></div>`;
      case 'full':
      case 'not-open': return html`<div class="notice" role="status"><p>${problem}</p></div>`;
      case 'left': return nothing;
    }
  };

  return {
    title: 'Waiting room',
    render: () => html`
      ${pageHeading('Waiting room')}
      <p class="lede">${performance.value ? html`<strong>${performance.value.title}</strong> · ${performance.value.venue}` : nothing}</p>
      ${performance.value && priceRange(performance.value.grades) ? html`<p class="price-range" data-testid="price-range">Prices: ${priceRange(performance.value.grades)}</p>` : nothing}
      ${state.fatal ? loadError(state.fatal) : statusView()}
      ${state.retryingSince ? html`<p class="notice" role="status">Connection lost. Reconnecting… Your place is kept.</p>` : nothing}
      ${isWaiting(state.phase) ? html`
        <section class="panel queue-help" aria-labelledby="help-heading">
          <h2 id="help-heading">While you wait</h2>
          <ul>
            <li>Keep this page open. It updates by itself and takes you to seat selection when it is your turn.</li>
            <li>Reloading or closing the page does not lose your place: your place belongs to your account.</li>
            <li>Opening more tabs does not move you forward.</li>
          </ul>
          ${state.lastUpdated ? html`<p class="muted">Last updated ${state.lastUpdated.toLocaleTimeString()}</p>` : nothing}
          <button type="button" class="button secondary" @click=${leave}>Leave the line</button>
        </section>
        ${state.entry?.lane ? nothing : codeForm()}` : nothing}`,
    dispose: () => {
      poller.stop();
      solver.abort();
      document.removeEventListener('visibilitychange', onVisible);
    },
  };
};
