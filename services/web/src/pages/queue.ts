// The waiting room. Polls the fan's entry at the server's pace, shows place, people ahead, a
// progress bar, the ETA and an honest word on the odds (with the figures behind it), the price
// range, and a field for a presale access code; moves on to the seat map by itself once admitted. The server
// keeps one entry per account, so a reload (or a second tab) finds the same place in line.

import { html, nothing } from 'lit-html';
import { ApiError, problemMessage } from '../api/http.ts';
import type { QueueEntry } from '../api/types.ts';
import { formatDateTime, formatEta } from '../lib/format.ts';
import { queueBaselines, queuePasses } from '../lib/memory.ts';
import { nextPollDelay, startPolling } from '../lib/poll.ts';
import { nextBaseline, positionSentence, queueProgress } from '../lib/queue-progress.ts';
import { href } from '../lib/routes.ts';
import { accessCodeProblem, oddsMessage, priceRange, waitlistHref } from '../lib/waiting-room-facts.ts';
import { loadError, pageHeading } from '../ui/parts.ts';
import { resource, type PageFactory } from '../ui/page.ts';

function expiredMessage(reason: string | null | undefined): string {
  switch (reason) {
    case 'ABANDONED': return 'You lost your place: this page stopped checking in for too long.';
    case 'EXPIRED': return 'Your turn to choose seats has ended.';
    case 'SOLD_OUT': return 'This performance has sold out.';
    case 'QUEUE_CLOSED': return 'The waiting room has closed.';
    default: return 'Your place in line has expired.';
  }
}

type Phase = 'joining' | 'not-open' | 'waiting' | 'admitted' | 'expired' | 'closed' | 'full' | 'left';

export const queuePage: PageFactory = (ctx) => {
  if (ctx.route.name !== 'queue') throw new Error('route mismatch');
  const { performanceId, scheduleId } = ctx.route;
  if (!ctx.session.isSignedIn()) {
    ctx.navigate(href({ name: 'login', next: location.hash }), { replace: true });
    return { title: 'Waiting room', render: () => html`` };
  }

  const performance = resource(ctx, () => ctx.api.getPerformance(performanceId));
  let phase: Phase = 'joining';
  let entry: QueueEntry | undefined;
  let problem: string | undefined;
  let failures = 0;
  let retryingSince: Date | undefined;
  let lastUpdated: Date | undefined;
  let fatal: unknown;
  let accessCode = '';
  let codeProblem: string | undefined;
  let codeSending = false;
  /** Sent again when the page has to re-enter (the entry was lost), so the fan keeps the lane; the server counts it once. */
  let acceptedCode: string | undefined;

  const goToSeats = (schedule: string) => ctx.navigate(href({ name: 'seats', performanceId, scheduleId: schedule }), { replace: true });

  const admitted = async (current: QueueEntry) => {
    phase = 'admitted';
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
   * The first call enters the line (entering again returns the same entry, so a reload keeps the
   * place); later calls read it, and re-enter if the entry was dropped meanwhile.
   */
  let entered = false;
  const fetchEntry = async (): Promise<QueueEntry> => {
    if (entered) {
      try {
        return await ctx.api.getMyEntry(performanceId);
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
      }
    }
    const current = await ctx.api.enterQueue(performanceId, acceptedCode);
    if (!entered) ctx.track('queue_entered', { performanceId });
    entered = true;
    return current;
  };

  const poll = async (): Promise<number | undefined> => {
    try {
      entry = await fetchEntry();
      failures = 0;
      retryingSince = undefined;
      problem = undefined;
      lastUpdated = new Date();
      if (entry.status === 'ADMITTED') {
        await admitted(entry);
        return undefined;
      }
      if (entry.status === 'EXPIRED') {
        phase = 'expired';
        return undefined;
      }
      phase = 'waiting';
      const baseline = nextBaseline(queueBaselines.get(performanceId), entry.ahead ?? 0);
      queueBaselines.set(performanceId, baseline);
      return nextPollDelay({ pollAfterMs: entry.pollAfterMs });
    } catch (error) {
      return failed(error);
    } finally {
      ctx.update();
    }
  };

  const failed = (error: unknown): number | undefined => {
    if (error instanceof ApiError) {
      if (error.status === 401) {
        ctx.navigate(href({ name: 'login', next: location.hash }), { replace: true });
        return undefined;
      }
      if (error.code === 'SOLD_OUT' || error.code === 'QUEUE_CLOSED') {
        phase = 'closed';
        problem = error.code === 'SOLD_OUT' ? 'This performance is sold out.' : 'The waiting room for this performance is closed.';
        return undefined;
      }
      if (error.status === 404) {
        // The performance exists but its waiting room is not set up yet (it follows the catalog).
        phase = 'not-open';
        problem = 'The waiting room for this performance is not open yet. Keep this page open: you join as soon as it opens.';
        return nextPollDelay({ pollAfterMs: 3_000, consecutiveFailures: Math.min(failures++, 3) });
      }
      if (error.code === 'QUEUE_FULL') {
        phase = 'full';
        problem = 'The line is full right now. Keep this page open: we will try to get you in again shortly.';
        return nextPollDelay({ retryAfterSeconds: error.retryAfterSeconds ?? 10 });
      }
      if (error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429) {
        fatal = error;
        return undefined;
      }
    }
    failures += 1;
    retryingSince ??= new Date();
    const retryAfterSeconds = error instanceof ApiError ? error.retryAfterSeconds : undefined;
    return nextPollDelay({ pollAfterMs: entry?.pollAfterMs, consecutiveFailures: failures, retryAfterSeconds });
  };

  const poller = startPolling(poll);
  // A hidden tab's timers are throttled; check at once when the fan comes back.
  const onVisible = () => document.visibilityState === 'visible' && (phase === 'waiting' || phase === 'joining') && poller.pollNow();
  document.addEventListener('visibilitychange', onVisible);

  const leave = async () => {
    poller.stop();
    try {
      await ctx.api.leaveQueue(performanceId);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) {
        problem = 'We could not take you out of the line. Please try again.';
        ctx.update();
        return;
      }
    }
    queueBaselines.clear(performanceId);
    queuePasses.clear(performanceId);
    phase = 'left';
    ctx.track('queue_left', { performanceId });
    ctx.navigate(href({ name: 'performance', performanceId }));
  };

  const rejoin = () => {
    phase = 'joining';
    queueBaselines.clear(performanceId);
    ctx.update();
    void ctx.api.enterQueue(performanceId, acceptedCode).then(() => poller.pollNow(), (error: unknown) => { failed(error); ctx.update(); });
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
      entry = await ctx.api.enterQueue(performanceId, code);
      acceptedCode = code;
      entered = true;
      failures = 0;
      problem = undefined;
      lastUpdated = new Date();
      ctx.track('queue_access_code', { performanceId });
      if (entry.status === 'ADMITTED') await admitted(entry);
      else {
        phase = 'waiting';
        ctx.announce(entry.lane === 'PRESALE' ? 'Code accepted: you are in the presale lane.' : 'Code accepted: you are in the priority lane.');
        poller.pollNow();
      }
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

  const oddsView = (current: QueueEntry) => {
    if (!current.odds) return nothing;
    const message = oddsMessage(current.odds);
    return html`<div class=${`notice odds odds-${message.tone}`} role=${message.tone === 'warn' ? 'alert' : 'status'} data-testid="odds">
      <p><strong>${message.headline}</strong></p>
      <p class="muted">${message.basis}</p>
      ${message.tone === 'warn' ? html`<p>Rather not wait for nothing? <a href=${waitlistHref(performanceId)}>Join the waitlist</a>: returned seats are offered to it in order.</p>` : nothing}
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

  const statusView = () => {
    switch (phase) {
      case 'joining': return html`<div class="queue-card"><p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>Finding your place in line…</p></div>`;
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
        <button type="button" class="button" @click=${rejoin}>Join the line again</button></div>`;
      case 'closed': return html`<div class="notice notice-error" role="alert"><p>${problem}</p><a href=${href({ name: 'performance', performanceId })}>Back to the performance</a></div>`;
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
      ${fatal ? loadError(fatal) : statusView()}
      ${retryingSince ? html`<p class="notice" role="status">Connection lost. Reconnecting… Your place is kept.</p>` : nothing}
      ${phase === 'waiting' || phase === 'joining' || phase === 'full' || phase === 'not-open' ? html`
        <section class="panel queue-help" aria-labelledby="help-heading">
          <h2 id="help-heading">While you wait</h2>
          <ul>
            <li>Keep this page open. It updates by itself and takes you to seat selection when it is your turn.</li>
            <li>Reloading or closing the page does not lose your place: your place belongs to your account.</li>
            <li>Opening more tabs does not move you forward.</li>
          </ul>
          ${lastUpdated ? html`<p class="muted">Last updated ${lastUpdated.toLocaleTimeString()}</p>` : nothing}
          <button type="button" class="button secondary" @click=${leave}>Leave the line</button>
        </section>
        ${entry?.lane ? nothing : codeForm()}` : nothing}`,
    dispose: () => {
      poller.stop();
      document.removeEventListener('visibilitychange', onVisible);
    },
  };
};
