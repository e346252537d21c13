// Typed calls for every endpoint the pages use (docs/api.md), with the access token attached and
// one refresh-and-retry on 401.

import { ApiError, NetworkError, requestJsonWithStatus, type RequestOptions } from './http.ts';
import type { Session } from './session.ts';
import type {
  AccessCode, AccessCodeUses, NewAccessCode, CheckInBundle, CheckInTimeline, CursorPage, NewPerformance, Order, Page, Payment, Performance, PerformanceSummary, ProofOfWorkChallenge, ProofOfWorkSolution, QueueEntry, QueueState, QueueStatus, QueueTimeline,
  SalesTimeline,
  RemoteCheckIn, ReturnQuote, Revocation, ScanResult, ScanToSend, Seat, Ticket, TicketReturn, User, WaitlistEntry, WaitlistOffer, WaitlistStats,
} from './types.ts';

/** What the waitlist join sends: the seats wanted (and, where a sale asks for them, its fairness proofs). */
export interface WaitlistJoin { seats: number }

export type Api = ReturnType<typeof createApi>;

/** Told about failures on-call should see: server errors and unreachable servers (not 4xx answers). */
export type FailureListener = (failure: { method: string; path: string; status: number; code: string }) => void;

export function createApi(apiBase: string, session: Session, onFailure: FailureListener = () => undefined) {
  const call = async <T>(path: string, options: RequestOptions = {}): Promise<T> => (await callWithStatus<T>(path, options)).body;
  const callWithStatus = async <T>(path: string, options: RequestOptions = {}): Promise<{ status: number; body: T }> => {
    try {
      return await authorised<T>(path, options);
    } catch (error) {
      const status = error instanceof ApiError ? error.status : error instanceof NetworkError ? 0 : -1;
      if (status === 0 || status >= 500) onFailure({ method: options.method ?? 'GET', path: path.split('?')[0]!, status, code: (error as ApiError).code ?? 'NETWORK' });
      throw error;
    }
  };
  const authorised = async <T>(path: string, options: RequestOptions): Promise<{ status: number; body: T }> => {
    const send = (token: string | undefined) =>
      requestJsonWithStatus<T>(`${apiBase}${path}`, { ...options, headers: { ...options.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
    const token = await session.accessToken();
    try {
      return await send(token);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401 && token && (await session.refresh(token))) return send(await session.accessToken());
      throw error;
    }
  };
  const e = encodeURIComponent;
  const queueHeaders = (queueToken: string | undefined, idempotencyKey?: string) => ({
    ...(queueToken ? { 'x-queue-token': queueToken } : {}),
    ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
  });

  return {
    // A sign-up refused with 503 AUTH_BUSY created nothing; a repeat after a gateway timeout would
    // at worst answer EMAIL_TAKEN, which the form shows.
    signUp: (body: { email: string; password: string; nickname: string }) => call<User>('/users', { method: 'POST', body, retryWhenBusy: 5 }),

    /** Follows the verification mail's link (no login needed); the tokens must be refreshed after it. */
    verifyEmail: (token: string) => call<{ id: string; email: string; emailVerified: true }>('/users/verification', { method: 'POST', body: { token } }),
    resendVerificationMail: () => call<void>('/users/me/verification-mail', { method: 'POST', body: {} }),

    listPerformances: (cursor?: string) => call<Page<PerformanceSummary>>(`/performances?limit=50${cursor ? `&cursor=${e(cursor)}` : ''}`),
    getPerformance: (id: string) => call<Performance>(`/performances/${e(id)}`),
    getSeats: (scheduleId: string, signal?: AbortSignal) => call<{ items: Seat[] }>(`/schedules/${e(scheduleId)}/seats`, signal ? { signal } : {}),
    createPerformance: (body: NewPerformance) => call<Performance>('/performances', { method: 'POST', body }),

    queueChallenge: (performanceId: string) => call<ProofOfWorkChallenge>(`/queues/${e(performanceId)}/challenge`, { method: 'POST', body: {} }),
    enterQueue: (performanceId: string, entry: { accessCode?: string; proofOfWork?: ProofOfWorkSolution } = {}) =>
      call<QueueEntry>(`/queues/${e(performanceId)}/entries`, { method: 'POST', body: { ...(entry.accessCode ? { accessCode: entry.accessCode } : {}), ...(entry.proofOfWork ? { proofOfWork: entry.proofOfWork } : {}) } }),
    getMyEntry: (performanceId: string) => call<QueueEntry>(`/queues/${e(performanceId)}/entries/me`),
    leaveQueue: (performanceId: string) => call<void>(`/queues/${e(performanceId)}/entries/me`, { method: 'DELETE' }),
    getQueue: (performanceId: string) => call<QueueStatus>(`/queues/${e(performanceId)}`),
    updateQueue: (performanceId: string, body: Partial<{ capacity: number; admitPerMinute: number; state: QueueState }>) =>
      call<QueueStatus>(`/queues/${e(performanceId)}`, { method: 'PATCH', body }),

    listAccessCodes: (performanceId: string) => call<{ items: AccessCode[] }>(`/performances/${e(performanceId)}/access-codes`),
    createAccessCode: (performanceId: string, body: NewAccessCode) => call<AccessCode>(`/performances/${e(performanceId)}/access-codes`, { method: 'POST', body }),
    accessCodeUses: (performanceId: string, codeId: string) => call<AccessCodeUses>(`/performances/${e(performanceId)}/access-codes/${e(codeId)}/uses`),

    createOrder: (body: { scheduleId: string; seatIds: string[] }, queueToken: string, idempotencyKey: string) =>
      call<Order>('/orders', { method: 'POST', body, headers: queueHeaders(queueToken, idempotencyKey) }),
    getOrder: (orderId: string) => call<Order>(`/orders/${e(orderId)}`),
    listOrders: (cursor?: string) => call<Page<Order>>(`/orders?limit=20${cursor ? `&cursor=${e(cursor)}` : ''}`),
    cancelOrder: (orderId: string) => call<Order>(`/orders/${e(orderId)}`, { method: 'DELETE' }),

    /**
     * The one place the waitlist is joined: 201 joined, 200 already on it (the same entry). Fairness
     * checks that a join must carry (proof-of-work, …) go into this body.
     */
    joinWaitlist: async (scheduleId: string, join: WaitlistJoin): Promise<{ entry: WaitlistEntry; created: boolean }> => {
      const { status, body } = await callWithStatus<WaitlistEntry>(`/waitlist/${e(scheduleId)}/entries`, { method: 'POST', body: join });
      return { entry: body, created: status === 201 };
    },
    getWaitlistEntry: (scheduleId: string) => call<WaitlistEntry>(`/waitlist/${e(scheduleId)}/entries/me`),
    /** Leaving declines an open offer: its seats go to the next fan at once. */
    leaveWaitlist: (scheduleId: string) => call<WaitlistEntry>(`/waitlist/${e(scheduleId)}/entries/me`, { method: 'DELETE' }),
    listWaitlistOffers: () => call<{ items: WaitlistOffer[] }>('/waitlist/offers'),
    /** The offer becomes an order waiting for payment; claiming again answers the same order. */
    claimWaitlistOffer: (offerId: string) => call<Order>(`/waitlist/offers/${e(offerId)}/claim`, { method: 'POST', body: {} }),
    /** Per schedule: fans waiting and offers by state (ADMIN). */
    waitlistStats: () => call<{ items: WaitlistStats[] }>('/admin/waitlist'),
    pay: (orderId: string, cardNumber: string, idempotencyKey: string) =>
      call<Payment>('/payments', { method: 'POST', body: { orderId, method: { type: 'card', cardNumber } }, headers: { 'idempotency-key': idempotencyKey } }),
    getPayment: (paymentId: string) => call<Payment>(`/payments/${e(paymentId)}`),

    listTickets: () => call<{ items: Ticket[] }>('/tickets?limit=200'),
    /** The .ics needs the access token, so the page fetches it and hands the browser a blob. */
    ticketCalendar: async (ticketId: string) => {
      const token = await session.accessToken();
      const res = await fetch(`${apiBase}/tickets/${e(ticketId)}/calendar.ics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      if (!res.ok) throw new ApiError(res.status, { title: 'The calendar file could not be made', status: res.status });
      return res.blob();
    },
    transferTicket: (ticketId: string, email: string) =>
      call<{ ticketId: string; status: string; version: number; transfers: number }>(`/tickets/${e(ticketId)}/transfers`, { method: 'POST', body: { email } }),

    /** Face-value returns (booking): what the seller would get back, the listing, its status, withdrawing it. */
    returnQuote: (ticketId: string) => call<ReturnQuote>(`/returns/tickets/${e(ticketId)}/quote`),
    returnTicket: (ticketId: string) => call<TicketReturn>('/returns', { method: 'POST', body: { ticketId } }),
    listReturns: () => call<{ items: TicketReturn[] }>('/returns'),
    withdrawReturn: (returnId: string) => call<TicketReturn>(`/returns/${e(returnId)}`, { method: 'DELETE' }),

    checkInBundle: (performanceId: string) => call<CheckInBundle>(`/check-in/performances/${e(performanceId)}`),
    revocations: (performanceId: string, since: string) => call<CursorPage<Revocation>>(`/check-in/performances/${e(performanceId)}/revocations?since=${e(since)}&limit=5000`),
    checkIns: (performanceId: string, since: string) => call<CursorPage<RemoteCheckIn>>(`/check-in/performances/${e(performanceId)}/check-ins?since=${e(since)}&limit=5000`),
    /** Per-minute tickets issued, revoked and checked in (ADMIN), the organiser's charts. */
    checkInTimeline: (performanceId: string, scheduleId: string, minutes: number) =>
      call<CheckInTimeline>(`/check-in/performances/${e(performanceId)}/timeline?scheduleId=${e(scheduleId)}&minutes=${minutes}`),
    /** Waiting fans and admissions, one sample a minute (ADMIN): the waiting room's history. */
    queueTimeline: (performanceId: string, minutes: number) => call<QueueTimeline>(`/queues/${e(performanceId)}/timeline?minutes=${minutes}`),
    /** Seats sold and held per minute for one date (ADMIN): the sale's history. */
    salesTimeline: (scheduleId: string, minutes: number) => call<SalesTimeline>(`/admin/schedules/${e(scheduleId)}/sales?minutes=${minutes}`),
    sendScans: (performanceId: string, body: { gate: string; deviceId: string; scans: ScanToSend[] }) =>
      call<{ results: ScanResult[] }>(`/check-in/performances/${e(performanceId)}/scans`, { method: 'POST', body }),
  };
}
