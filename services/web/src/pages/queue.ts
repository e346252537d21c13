// The waiting room. Solves the entry's proof-of-work in a Web Worker (with a progress bar), then
// polls the fan's entry at the server's pace, shows place, people ahead, a progress bar and the
// ETA, and moves on to the seat map by itself once admitted. The server keeps one entry per
// account, so a reload (or a second tab) finds the same place in line without solving again.

import { html, nothing } from 'lit-html';
import { ApiError } from '../api/http.ts';
import type { QueueEntry } from '../api/types.ts';
import { formatDateTime, formatEta } from '../lib/format.ts';
import { powProgress } from '../lib/proof-of-work.ts';
import { solveInWorker } from '../pow/solve.ts';
import { queueBaselines, queuePasses } from '../lib/memory.ts';
import { nextPollDelay, startPolling } from '../lib/poll.ts';
import { nextBaseline, positionSentence, queueProgress } from '../lib/queue-progress.ts';
import { href } from '../lib/routes.ts';
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

type Phase = 'joining' | 'solving' | 'not-open' | 'waiting' | 'admitted' | 'expired' | 'closed' | 'full' | 'left';

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
  let solving: { tried: number; maxnumber: number } | undefined;
  const solver = new AbortController();

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

  /** Gets a challenge, solves it in a worker while the bar shows progress, and enters with it. */
  const enterWithProof = async (): Promise<QueueEntry> => {
    const challenge = await ctx.api.queueChallenge(performanceId);
    if (!challenge.required) return ctx.api.enterQueue(performanceId);
    phase = 'solving';
    solving = { tried: 0, maxnumber: challenge.maxnumber };
    ctx.update();
    const { ms, ...proofOfWork } = await solveInWorker(challenge, (tried) => {
      solving = { tried, maxnumber: challenge.maxnumber };
      ctx.update();
    }, solver.signal);
    solving = undefined;
    ctx.track('queue_proof_of_work_solved', { performanceId, ms: String(ms) });
    return ctx.api.enterQueue(performanceId, proofOfWork);
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
      if (error.code?.startsWith('PROOF_OF_WORK_')) {
        // expired while a slow device solved it, or spent by a lost answer's retry: a new one
        phase = 'joining';
        return nextPollDelay({ pollAfterMs: 500, consecutiveFailures: Math.min(failures++, 3) });
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
  const onVisible = () => document.visibilityState === 'visible' && (phase === 'waiting' || phase === 'joining') && !solving && poller.pollNow();
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
    void enterWithProof().then(() => poller.pollNow(), (error: unknown) => { failed(error); ctx.update(); });
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
        ${current.reason === 'PRE_QUEUE' && current.opensAt ? html`<p class="notice pre-queue">The sale opens ${formatDateTime(current.opensAt)}.
          Everyone who joins before then is put in a random order at the opening, so there is no need to rush;
          your place may change once then.</p>` : nothing}
      </div>`;
  };

  const statusView = () => {
    switch (phase) {
      case 'joining': return html`<div class="queue-card"><p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>Finding your place in line…</p></div>`;
      case 'solving': {
        const percent = powProgress(solving?.tried ?? 0, solving?.maxnumber ?? 1);
        return html`<div class="queue-card" data-testid="proof-of-work"><p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>Checking this browser before it joins the line…</p>
          <label class="progress-label" for="pow-progress">Check: ${percent}%</label>
          <progress id="pow-progress" max="100" .value=${percent}>${percent}%</progress>
          <p class="muted">This takes a few seconds on most devices and keeps automated scripts from crowding the line.</p></div>`;
      }
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
      ${fatal ? loadError(fatal) : statusView()}
      ${retryingSince ? html`<p class="notice" role="status">Connection lost. Reconnecting… Your place is kept.</p>` : nothing}
      ${phase === 'waiting' || phase === 'joining' || phase === 'solving' || phase === 'full' || phase === 'not-open' ? html`
        <section class="panel queue-help" aria-labelledby="help-heading">
          <h2 id="help-heading">While you wait</h2>
          <ul>
            <li>Keep this page open. It updates by itself and takes you to seat selection when it is your turn.</li>
            <li>Reloading or closing the page does not lose your place: your place belongs to your account.</li>
            <li>Opening more tabs does not move you forward.</li>
          </ul>
          ${lastUpdated ? html`<p class="muted">Last updated ${lastUpdated.toLocaleTimeString()}</p>` : nothing}
          <button type="button" class="button secondary" @click=${leave}>Leave the line</button>
        </section>` : nothing}`,
    dispose: () => {
      poller.stop();
      solver.abort();
      document.removeEventListener('visibilitychange', onVisible);
    },
  };
};
