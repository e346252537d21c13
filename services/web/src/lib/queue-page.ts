// The waiting room page's state and how each answer changes it, without the DOM, the network or
// timers: pages/queue.ts runs the effects (polling, navigation, storage) and renders the state.

import type { QueueEntry } from '../api/types.ts';
import { nextPollDelay } from './poll.ts';

export type QueuePhase = 'joining' | 'solving' | 'not-open' | 'waiting' | 'admitted' | 'expired' | 'closed' | 'full' | 'left' | 'unverified';

export interface QueuePageState {
  phase: QueuePhase;
  entry: QueueEntry | undefined;
  /** What the fan is told about a refusal or a failure. */
  problem: string | undefined;
  failures: number;
  /** Set while answers fail: "Reconnecting… your place is kept". */
  retryingSince: Date | undefined;
  lastUpdated: Date | undefined;
  /** An answer the page cannot recover from (shown as the page's load error). */
  fatal: unknown;
  /** Sold out: the page offers the waitlist, where seats that come back are offered in order. */
  offerWaitlist: boolean;
  /** The entry's proof-of-work being solved: numbers tried of `maxnumber` (phase `solving`). */
  solving: { tried: number; maxnumber: number } | undefined;
}

/** An API refusal as the page reads it (ApiError has these fields); a network failure has none. */
export interface Refusal { status?: number; code?: string; retryAfterSeconds?: number | undefined }

export type QueueEvent =
  | { type: 'entry'; entry: QueueEntry; at: Date }
  | { type: 'failed'; error: unknown; refusal: Refusal | undefined; at: Date }
  | { type: 'solving'; tried: number; maxnumber: number }
  | { type: 'rejoin' }
  | { type: 'left' }
  | { type: 'leave-failed' };

/** What the page does next: poll again after a delay, stop, go to sign-in, or run the admission. */
export type QueueCommand = { kind: 'poll-in'; ms: number } | { kind: 'stop' } | { kind: 'sign-in' } | { kind: 'admitted'; entry: QueueEntry };

export const initialQueueState = (): QueuePageState => ({
  phase: 'joining', entry: undefined, problem: undefined, failures: 0, retryingSince: undefined, lastUpdated: undefined, fatal: undefined, offerWaitlist: false, solving: undefined,
});

export function expiredMessage(reason: string | null | undefined): string {
  switch (reason) {
    case 'ABANDONED': return 'You lost your place: this page stopped checking in for too long.';
    case 'ABSENT': return 'You lost your place: this page was not open in the last minutes before the sale opened.';
    case 'EXPIRED': return 'Your turn to choose seats has ended.';
    case 'SOLD_OUT': return 'This performance has sold out.';
    case 'QUEUE_CLOSED': return 'The waiting room has closed.';
    default: return 'Your place in line has expired.';
  }
}

/** Whether the page still waits for its turn (it then shows the help panel and re-checks when shown again). */
export const isWaiting = (phase: QueuePhase) => phase === 'waiting' || phase === 'joining' || phase === 'solving' || phase === 'full' || phase === 'not-open';

export function reduceQueue(state: QueuePageState, event: QueueEvent, random: () => number = Math.random): { state: QueuePageState; command: QueueCommand } {
  switch (event.type) {
    case 'entry': {
      const { entry } = event;
      const next: QueuePageState = { ...state, entry, failures: 0, retryingSince: undefined, problem: undefined, lastUpdated: event.at, solving: undefined };
      if (entry.status === 'ADMITTED') return { state: { ...next, phase: 'admitted' }, command: { kind: 'admitted', entry } };
      if (entry.status === 'EXPIRED') return { state: { ...next, phase: 'expired', offerWaitlist: entry.reason === 'SOLD_OUT' }, command: { kind: 'stop' } };
      return { state: { ...next, phase: 'waiting' }, command: { kind: 'poll-in', ms: nextPollDelay({ pollAfterMs: entry.pollAfterMs, random }) } };
    }
    case 'failed': return failed({ ...state, solving: undefined }, event.error, event.refusal, event.at, random);
    case 'solving': return { state: { ...state, phase: 'solving', solving: { tried: event.tried, maxnumber: event.maxnumber } }, command: { kind: 'stop' } };
    case 'rejoin': return { state: { ...state, phase: 'joining' }, command: { kind: 'stop' } };
    case 'left': return { state: { ...state, phase: 'left' }, command: { kind: 'stop' } };
    case 'leave-failed': return { state: { ...state, problem: 'We could not take you out of the line. Please try again.' }, command: { kind: 'stop' } };
  }
}

function failed(state: QueuePageState, error: unknown, refusal: Refusal | undefined, at: Date, random: () => number): { state: QueuePageState; command: QueueCommand } {
  if (refusal?.status !== undefined) {
    const { status, code } = refusal;
    if (status === 401) return { state, command: { kind: 'sign-in' } };
    if (code === 'SOLD_OUT' || code === 'QUEUE_CLOSED') {
      const problem = code === 'SOLD_OUT' ? 'This performance is sold out.' : 'The waiting room for this performance is closed.';
      return { state: { ...state, phase: 'closed', problem, offerWaitlist: code === 'SOLD_OUT' }, command: { kind: 'stop' } };
    }
    if (status === 404) {
      // The performance exists but its waiting room is not set up yet (it follows the catalog).
      const problem = 'The waiting room for this performance is not open yet. Keep this page open: you join as soon as it opens.';
      const ms = nextPollDelay({ pollAfterMs: 3_000, consecutiveFailures: Math.min(state.failures, 3), random });
      return { state: { ...state, phase: 'not-open', problem, failures: state.failures + 1 }, command: { kind: 'poll-in', ms } };
    }
    if (code === 'EMAIL_NOT_VERIFIED') {
      const problem = 'This sale admits only confirmed e-mail addresses. Follow the link in the mail we sent when you signed up, then come back: you join the line then.';
      return { state: { ...state, phase: 'unverified', problem }, command: { kind: 'stop' } };
    }
    if (code?.startsWith('PROOF_OF_WORK_')) {
      // expired while a slow device solved it, or spent by a lost answer's retry: a new one soon
      const ms = nextPollDelay({ pollAfterMs: 500, consecutiveFailures: Math.min(state.failures, 3), random });
      return { state: { ...state, phase: 'joining', failures: state.failures + 1 }, command: { kind: 'poll-in', ms } };
    }
    if (code === 'QUEUE_FULL') {
      const problem = 'The line is full right now. Keep this page open: we will try to get you in again shortly.';
      return { state: { ...state, phase: 'full', problem }, command: { kind: 'poll-in', ms: nextPollDelay({ retryAfterSeconds: refusal.retryAfterSeconds ?? 10, random }) } };
    }
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) return { state: { ...state, fatal: error }, command: { kind: 'stop' } };
  }
  const failures = state.failures + 1;
  const ms = nextPollDelay({ pollAfterMs: state.entry?.pollAfterMs, consecutiveFailures: failures, retryAfterSeconds: refusal?.retryAfterSeconds, random });
  return { state: { ...state, failures, retryingSince: state.retryingSince ?? at }, command: { kind: 'poll-in', ms } };
}
