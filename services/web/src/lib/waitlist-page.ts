// The waitlist page's state, one card per date of the performance, and how each answer changes
// it, without the DOM, the network or timers: pages/waitlist.ts runs the effects (polling, the
// join/leave/claim calls, navigation) and renders the state.

import type { Order, WaitlistEntry, WaitlistOffer } from '../api/types.ts';
import { nextPollDelay } from './poll.ts';

/** The server sends no poll advice for the waitlist: a place moves only when seats come back. */
export const WAITLIST_POLL_MS = 5_000;

export type DatePhase =
  | 'loading'
  /** Not on this date's waitlist (never joined, left, or an offer ran out): the join form. */
  | 'not-joined'
  | 'joining'
  | 'waiting'
  | 'offered'
  /** The offer's deadline passed on this page's clock; the server moves the seats on shortly. */
  | 'offer-expired'
  | 'claiming'
  /** The offer became an order waiting for payment (or paid). */
  | 'claimed'
  | 'leaving';

/** Where a notice sends the fan. */
export type NoticeAction = 'book' | 'verify' | 'bookings';

export interface Notice { tone: 'info' | 'error'; text: string; action?: NoticeAction }

export interface DateState {
  phase: DatePhase;
  entry: WaitlistEntry | undefined;
  /** The "seats wanted" field as typed. */
  seats: string;
  seatsError: string | undefined;
  notice: Notice | undefined;
  /** The order a claimed offer became, once known. */
  orderId: string | undefined;
  failures: number;
  /** Set while reads fail: "Reconnecting… your place is kept". */
  retrying: boolean;
  /** While joining: the join's proof-of-work being solved, numbers tried of `maxnumber`. */
  solving: { tried: number; maxnumber: number } | undefined;
}

export interface WaitlistPageState {
  /** Seats one fan may ask for: the per-order and the per-person limits, whichever is lower. */
  limit: number;
  dates: Record<string, DateState>;
  /** The fan's offers for this performance, newest first (open, claimed, run out, declined). */
  offers: WaitlistOffer[];
}

/** An API refusal as the page reads it (ApiError has these fields); a network failure has none. */
export interface Refusal { status?: number; code?: string; message?: string; retryAfterSeconds?: number | undefined; offerStatus?: string }

export type WaitlistEvent =
  | { type: 'entry'; scheduleId: string; entry: WaitlistEntry }
  | { type: 'seats-input'; scheduleId: string; value: string }
  | { type: 'join'; scheduleId: string }
  | { type: 'solving'; scheduleId: string; tried: number; maxnumber: number }
  | { type: 'joined'; scheduleId: string; entry: WaitlistEntry; created: boolean }
  | { type: 'leave'; scheduleId: string }
  | { type: 'left'; scheduleId: string; entry: WaitlistEntry }
  | { type: 'claim'; scheduleId: string }
  | { type: 'claimed'; scheduleId: string; order: Order }
  /** The fan's offers as listed by the server: a claimed one names its order. */
  | { type: 'offers'; offers: WaitlistOffer[] }
  | { type: 'failed'; scheduleId: string; action: 'load' | 'join' | 'leave' | 'claim'; refusal: Refusal | undefined }
  | { type: 'tick'; nowMs: number };

export type WaitlistCommand =
  | { kind: 'poll-in'; scheduleId: string; ms: number }
  | { kind: 'join'; scheduleId: string; seats: number }
  | { kind: 'leave'; scheduleId: string }
  | { kind: 'claim'; scheduleId: string; offerId: string }
  | { kind: 'checkout'; orderId: string }
  /** Read the fan's offers: a claimed entry's order is named there. */
  | { kind: 'list-offers' }
  | { kind: 'sign-in' }
  | { kind: 'announce'; text: string };

export const limitOf = (performance: { maxSeatsPerOrder: number; maxSeatsPerPerson?: number }) =>
  Math.min(performance.maxSeatsPerOrder, performance.maxSeatsPerPerson ?? performance.maxSeatsPerOrder);

const freshDate = (): DateState => ({ phase: 'loading', entry: undefined, seats: '1', seatsError: undefined, notice: undefined, orderId: undefined, failures: 0, retrying: false, solving: undefined });

export function initialWaitlist(scheduleIds: string[], limit: number): WaitlistPageState {
  return { limit, dates: Object.fromEntries(scheduleIds.map((id) => [id, freshDate()])), offers: [] };
}

/** Why a fan cannot join at all, before any call: the page explains it instead of the forms. */
export type JoinBlocker = 'sign-in' | 'verify';

export function joinBlocker(input: { signedIn: boolean; requireVerifiedEmail: boolean; emailVerified: boolean | undefined }): JoinBlocker | undefined {
  if (!input.signedIn) return 'sign-in';
  // Unknown (the profile still loading) is not a refusal: the server has the last word.
  if (input.requireVerifiedEmail && input.emailVerified === false) return 'verify';
  return undefined;
}

export const OFFER_EXPIRED_TEXT = 'Your offer ran out and the seats went to the next fan. You can join the waitlist again.';

/** What a refused join, leave or claim means for the fan, in the fan's words. */
export function refusalNotice(refusal: Refusal): Notice | undefined {
  switch (refusal.code) {
    case 'SEATS_AVAILABLE': return { tone: 'info', text: 'Seats for this date are still on sale, so there is no waitlist yet: get them through the waiting room.', action: 'book' };
    case 'EMAIL_NOT_VERIFIED': return { tone: 'error', text: 'This sale admits only confirmed e-mail addresses. Follow the link in the mail we sent when you signed up, then come back.', action: 'verify' };
    case 'PERSON_LIMIT_REACHED': return { tone: 'error', text: refusal.message ?? 'You already hold as many seats as one fan may have for this performance.', action: 'bookings' };
    case 'ACTIVE_ORDER_EXISTS': return { tone: 'error', text: 'You have an order for this date waiting for payment. Pay for it or cancel it first.', action: 'bookings' };
    case 'PERFORMANCE_CANCELLED': return { tone: 'error', text: 'This performance has been cancelled.' };
    case 'BOOKING_CLOSED': return { tone: 'error', text: 'Booking has closed for this date.' };
    case 'SCHEDULE_NOT_FOUND': return { tone: 'error', text: 'This date is not on sale.' };
    case 'ENTRY_CAP_REACHED': {
      const wait = refusal.retryAfterSeconds ? ` Try again in ${Math.ceil(refusal.retryAfterSeconds)} seconds.` : ' Try again shortly.';
      return { tone: 'error', text: `Too many people joined from your network just now.${wait}` };
    }
    case 'OFFER_NOT_OPEN':
      return refusal.offerStatus === 'EXPIRED' ? { tone: 'error', text: OFFER_EXPIRED_TEXT } : { tone: 'error', text: refusal.message ?? 'This offer is no longer open.' };
    case 'OFFER_NOT_FOUND': return { tone: 'error', text: 'This offer is not yours or no longer exists.' };
    default: return undefined;
  }
}

/** The phase a server's entry puts a date in, and the notice it brings (an offer that ran out). */
function fromEntry(date: DateState, entry: WaitlistEntry): DateState {
  const base = { ...date, entry, failures: 0, retrying: false };
  switch (entry.status) {
    case 'WAITING': return { ...base, phase: 'waiting' };
    case 'OFFERED': {
      const expired = entry.offer && date.phase === 'offer-expired' && date.entry?.offer?.id === entry.offer.id;
      return { ...base, phase: expired ? 'offer-expired' : 'offered' };
    }
    case 'CLAIMED': return { ...base, phase: 'claimed' };
    case 'LAPSED': return { ...base, phase: 'not-joined', notice: { tone: 'error', text: OFFER_EXPIRED_TEXT } };
    case 'LEFT': return { ...base, phase: 'not-joined' };
  }
}

const isLive = (phase: DatePhase) => phase === 'waiting' || phase === 'offered' || phase === 'offer-expired';

export function offerArrivedText(offer: WaitlistOffer, dateLabel: string): string {
  const seats = offer.seats.length === 1 ? 'A seat is' : `${offer.seats.length} seats are`;
  return `${seats} offered to you for ${dateLabel}. Claim before the countdown ends.`;
}

/** Said when the claim countdown crosses 5, 2 or 1 minute or 30 s (lib/countdown.ts's thresholds). */
export function claimCountdownAnnouncement(thresholdMs: number): string {
  const seconds = thresholdMs / 1000;
  const left = seconds >= 60 ? `${seconds / 60} ${seconds === 60 ? 'minute' : 'minutes'}` : `${seconds} seconds`;
  return `${left} left to claim the seats offered to you.`;
}

/** What the page does next, in order (none: nothing). */
type Result = { state: WaitlistPageState; commands: WaitlistCommand[] };

export function reduceWaitlist(state: WaitlistPageState, event: WaitlistEvent, dateLabel: (scheduleId: string) => string = () => 'this date', random: () => number = Math.random): Result {
  if (event.type === 'tick') return tick(state, event.nowMs);
  if (event.type === 'offers') return offers(state, event.offers);
  const { scheduleId } = event;
  const date = state.dates[scheduleId];
  if (!date) return { state, commands: [] };
  const put = (next: DateState, ...commands: WaitlistCommand[]): Result => ({ state: { ...state, dates: { ...state.dates, [scheduleId]: next } }, commands });
  const pollLater = { kind: 'poll-in', scheduleId, ms: WAITLIST_POLL_MS } as const;

  switch (event.type) {
    case 'entry': {
      // A join, leave or claim on its way has the last word; its answer brings the entry.
      if (date.phase === 'joining' || date.phase === 'leaving' || date.phase === 'claiming') return put(date, pollLater);
      const next = fromEntry(date, event.entry);
      const commands: WaitlistCommand[] = [];
      // Told once, when the offer first shows up (a poll, or the page opened with it).
      if (next.phase === 'offered' && event.entry.offer && date.entry?.offer?.id !== event.entry.offer.id) {
        commands.push({ kind: 'announce', text: offerArrivedText(event.entry.offer, dateLabel(scheduleId)) });
      }
      // The list of offers changes with the entry's state (an offer made, claimed, run out).
      if (date.entry && date.entry.status !== event.entry.status) commands.push({ kind: 'list-offers' });
      else if (next.phase === 'claimed' && !next.orderId) commands.push({ kind: 'list-offers' });
      if (isLive(next.phase)) commands.push(pollLater);
      return put(next, ...commands);
    }
    case 'seats-input': return put({ ...date, seats: event.value, seatsError: undefined });
    case 'join': {
      if (date.phase !== 'not-joined') return put(date);
      const seats = Number(date.seats.trim());
      if (!Number.isInteger(seats) || seats < 1 || seats > state.limit) {
        const seatsError = state.limit === 1 ? 'One fan may ask for 1 seat.' : `Ask for 1 to ${state.limit} seats.`;
        return put({ ...date, seatsError });
      }
      return put({ ...date, phase: 'joining', seatsError: undefined, notice: undefined, solving: undefined }, { kind: 'join', scheduleId, seats });
    }
    case 'solving':
      if (date.phase !== 'joining') return put(date);
      return put({ ...date, solving: { tried: event.tried, maxnumber: event.maxnumber } });
    case 'joined': {
      const next = fromEntry({ ...date, notice: undefined, solving: undefined }, event.entry);
      // Joining again answers the entry already there: the place is kept, not taken anew.
      const notice: Notice | undefined = event.created ? undefined : { tone: 'info', text: 'You were already on this waitlist: your place is kept.' };
      const text = event.created ? `You joined the waitlist for ${dateLabel(scheduleId)}. You are number ${event.entry.place} of ${event.entry.waiting}.` : notice!.text;
      const commands: WaitlistCommand[] = [{ kind: 'announce', text }];
      if (isLive(next.phase)) commands.push(pollLater);
      if (next.phase === 'claimed' || next.phase === 'offered') commands.push({ kind: 'list-offers' });
      return put({ ...next, notice }, ...commands);
    }
    case 'leave':
      if (!isLive(date.phase)) return put(date);
      return put({ ...date, phase: 'leaving', notice: undefined }, { kind: 'leave', scheduleId });
    case 'left':
      return put({ ...fromEntry(date, event.entry), notice: { tone: 'info', text: date.entry?.status === 'OFFERED' ? 'You left the waitlist; the seats offered to you went to the next fan.' : 'You left the waitlist for this date.' } }, { kind: 'list-offers' });
    case 'claim': {
      const offer = date.entry?.offer;
      if (date.phase !== 'offered' || !offer) return put(date);
      return put({ ...date, phase: 'claiming', notice: undefined }, { kind: 'claim', scheduleId, offerId: offer.id });
    }
    case 'claimed':
      return put({ ...date, phase: 'claimed', orderId: event.order.id, notice: undefined }, { kind: 'announce', text: 'Seats claimed. Pay for your order to get the tickets.' }, { kind: 'checkout', orderId: event.order.id });
    case 'failed': return failed(state, scheduleId, date, event.action, event.refusal, random);
  }
}

function failed(state: WaitlistPageState, scheduleId: string, date: DateState, action: 'load' | 'join' | 'leave' | 'claim', refusal: Refusal | undefined, random: () => number): Result {
  const put = (next: DateState, ...commands: WaitlistCommand[]): Result => ({ state: { ...state, dates: { ...state.dates, [scheduleId]: next } }, commands });
  if (refusal?.status === 401) return put(date, { kind: 'sign-in' });
  if (action === 'load') {
    if (refusal?.code === 'NOT_ON_WAITLIST') return put({ ...date, phase: 'not-joined', entry: undefined, failures: 0, retrying: false });
    const known = refusal ? refusalNotice(refusal) : undefined;
    if (known) return put({ ...date, phase: date.phase === 'loading' ? 'not-joined' : date.phase, notice: known });
    // No answer, or the server busy: keep what is shown and try again, backing off.
    const failures = date.failures + 1;
    const ms = nextPollDelay({ pollAfterMs: WAITLIST_POLL_MS, consecutiveFailures: failures, retryAfterSeconds: refusal?.retryAfterSeconds, random });
    return put({ ...date, failures, retrying: true }, { kind: 'poll-in', scheduleId, ms });
  }
  const notice = (refusal && refusalNotice(refusal)) ?? { tone: 'error' as const, text: refusal?.message ?? 'We could not reach TicketPing. Check your connection and try again.' };
  const pollSoon = { kind: 'poll-in', scheduleId, ms: 0 } as const;
  switch (action) {
    case 'join':
      if (refusal?.code === 'TOO_MANY_SEATS' || refusal?.code === 'VALIDATION_FAILED') {
        return put({ ...date, phase: 'not-joined', solving: undefined, seatsError: refusal.message ?? `Ask for 1 to ${state.limit} seats.` });
      }
      return put({ ...date, phase: 'not-joined', solving: undefined, notice });
    case 'leave':
      // Back to what it was; a fresh read settles whether the fan is still on it.
      return put({ ...date, phase: date.entry?.status === 'OFFERED' ? 'offered' : 'waiting', notice }, pollSoon);
    case 'claim':
      if (refusal?.code === 'OFFER_NOT_OPEN' && refusal.offerStatus === 'EXPIRED') return put({ ...date, phase: 'offer-expired', notice }, pollSoon);
      return put({ ...date, phase: 'offered', notice }, pollSoon);
  }
}

/** An offer whose deadline passed on this clock: shown as run out at once, and read again. */
function tick(state: WaitlistPageState, nowMs: number): Result {
  for (const [scheduleId, date] of Object.entries(state.dates)) {
    const offer = date.entry?.offer;
    if (date.phase === 'offered' && offer && Date.parse(offer.expiresAt) <= nowMs) {
      const next = { ...date, phase: 'offer-expired' as const };
      return { state: { ...state, dates: { ...state.dates, [scheduleId]: next } }, commands: [{ kind: 'announce', text: 'Your offer ran out; the seats go to the next fan.' }, { kind: 'poll-in', scheduleId, ms: 0 }] };
    }
  }
  return { state, commands: [] };
}

/** The fan's offers for these dates, and a claimed entry's order (the entry itself names only open offers). */
function offers(state: WaitlistPageState, list: WaitlistOffer[]): Result {
  let dates = state.dates;
  for (const offer of list) {
    const date = dates[offer.scheduleId];
    if (date && offer.status === 'CLAIMED' && offer.orderId && !date.orderId && date.phase === 'claimed') dates = { ...dates, [offer.scheduleId]: { ...date, orderId: offer.orderId } };
  }
  return { state: { ...state, dates, offers: list.filter((o) => o.scheduleId in state.dates) }, commands: [] };
}
