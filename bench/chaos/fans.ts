/**
 * Fans as a real client behaves: every call is retried on a connection error, a timeout, a 5xx or
 * a 429 (with the same Idempotency-Key, so a retried booking or payment is the same one), until the
 * fan's deadline. Each fan signs up, enters the waiting room, polls until admitted, holds 1–2
 * random seats and then pays, pays with a declined card (and cancels), or walks away.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { entryBody, type ProofOfWorkChallenge } from '@ticketping/testing';

export type Plan = 'pay' | 'decline' | 'abandon';
export const GOOD_CARD = '4242424242424242';
export const DECLINED_CARD = '4000000000000002';

export interface FanOutcome {
  name: string;
  plan: Plan;
  userId?: string;
  admittedAfterMs?: number;
  orderId?: string;
  /** What POST /payments answered last. */
  paymentStatus?: string;
  /** The order's status the fan saw last. */
  orderStatus?: string;
  /** Why the fan stopped early: SOLD_OUT, DEADLINE, or an unexpected answer. */
  stoppedBy?: string;
  /** The step the fan was at when it stopped. */
  stage: string;
}

export interface DriverStats {
  requests: number; retries: number; connectionErrors: number; serverErrors: number;
  /** Client errors by route and code (`POST /payments 404 ORDER_NOT_FOUND`): what fans were told to wait for. */
  refusals: Record<string, number>;
}

interface Reply { status: number; body: Record<string, unknown>; headers: Headers }
type Call = { method?: string; token?: string; body?: unknown; headers?: Record<string, string> };

class Stop extends Error {}

export function createDriver(gatewayUrl: string, stats: DriverStats = { requests: 0, retries: 0, connectionErrors: 0, serverErrors: 0, refusals: {} }) {
  /** One call, retried until it gets an answer that is not a server-side failure (or the deadline). */
  async function call(route: string, options: Call, deadline: number): Promise<Reply> {
    for (let attempt = 0; ; attempt++) {
      if (Date.now() > deadline) throw new Stop('DEADLINE');
      if (attempt > 0) stats.retries++;
      stats.requests++;
      try {
        const res = await fetch(`${gatewayUrl}/api/v1${route}`, {
          method: options.method ?? 'GET',
          headers: {
            ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
            ...options.headers,
          },
          ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
          signal: AbortSignal.timeout(15_000),
        });
        const text = await res.text();
        if (res.status >= 500 || res.status === 429) {
          stats.serverErrors++;
          const retryAfter = Number(res.headers.get('retry-after')) || 0;
          await sleep(Math.min(2000, Math.max(retryAfter * 1000, 300 + Math.random() * 700)));
          continue;
        }
        const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        if (res.status >= 400) {
          const what = `${options.method ?? 'GET'} ${route.replace(/[0-9a-f-]{36}/g, ':id')} ${res.status} ${String(body.code)}`;
          stats.refusals[what] = (stats.refusals[what] ?? 0) + 1;
        }
        return { status: res.status, body, headers: res.headers };
      } catch (error) {
        if (error instanceof Stop) throw error;
        stats.connectionErrors++; // refused, reset or timed out: the process behind it is restarting
        await sleep(300 + Math.random() * 700);
      }
    }
  }

  /** `call`, also retrying answers the fan knows to be transient for this step (e.g. an in-flight duplicate). */
  async function callUntil(route: string, options: Call, deadline: number, done: (r: Reply) => boolean): Promise<Reply> {
    for (;;) {
      const reply = await call(route, options, deadline);
      if (done(reply)) return reply;
      await sleep(300 + Math.random() * 500);
    }
  }

  async function signUp(name: string, deadline: number): Promise<{ token: string; userId: string }> {
    const email = `${name}-${randomUUID().slice(0, 8)}@chaos.test`;
    const password = 'correct horse battery';
    // a retried sign-up whose first attempt went through answers 409 EMAIL_TAKEN: the account is there
    await callUntil('/users', { method: 'POST', body: { email, password, nickname: name } }, deadline, (r) => r.status === 201 || r.status === 409);
    const login = await callUntil('/auth/login', { method: 'POST', body: { email, password } }, deadline, (r) => r.status === 200);
    const token = login.body.accessToken as string;
    const me = await callUntil('/users/me', { token }, deadline, (r) => r.status === 200);
    return { token, userId: me.body.id as string };
  }

  /**
   * Enters the documented way: a proof-of-work challenge, solved, sent with the entry. A retried
   * entry whose first attempt went through spent the solution (409 PROOF_OF_WORK_REPLAYED): a new
   * challenge then. Each fan enters from an address of its own, as fans do, so the range's rising
   * difficulty (one loopback for the whole driver otherwise) does not slow the drill.
   */
  async function enter(performanceId: string, token: string, deadline: number): Promise<Reply> {
    const headers = { 'x-forwarded-for': `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}` };
    for (;;) {
      const challenge = await call(`/queues/${performanceId}/challenge`, { method: 'POST', token, headers, body: {} }, deadline);
      if (challenge.status !== 200) return challenge;
      const entry = await call(`/queues/${performanceId}/entries`, { method: 'POST', token, headers, body: entryBody(challenge.body as unknown as ProofOfWorkChallenge) }, deadline);
      if (!String(entry.body.code ?? '').startsWith('PROOF_OF_WORK_')) return entry;
    }
  }

  /** Enters (again, if the place was lost) and polls at pollAfterMs until admitted; the admission token. */
  async function waitForAdmission(performanceId: string, token: string, deadline: number): Promise<string> {
    let entry = await enter(performanceId, token, deadline);
    for (;;) {
      if (entry.status === 409) throw new Stop(String(entry.body.code)); // SOLD_OUT, QUEUE_CLOSED
      if (entry.status === 200 && entry.body.status === 'ADMITTED') return entry.body.queueToken as string;
      const lost = entry.status === 404 || entry.body.status === 'EXPIRED';
      const pollAfter = Number(entry.body.pollAfterMs) || 500;
      await sleep(lost ? 300 : Math.min(pollAfter, 1000));
      entry = lost
        ? await enter(performanceId, token, deadline)
        : await call(`/queues/${performanceId}/entries/me`, { token }, deadline);
    }
  }

  async function pickSeats(scheduleId: string, count: number, deadline: number): Promise<string[]> {
    const map = await callUntil(`/schedules/${scheduleId}/seats`, {}, deadline, (r) => r.status === 200);
    const free = (map.body.items as Array<{ id: string; status: string }>).filter((s) => s.status === 'AVAILABLE').map((s) => s.id);
    if (free.length === 0) throw new Stop('SOLD_OUT');
    const chosen = new Set<string>();
    while (chosen.size < Math.min(count, free.length)) chosen.add(free[Math.floor(Math.random() * free.length)]!);
    return [...chosen];
  }

  async function runFan(fan: { name: string; plan: Plan; performanceId: string; scheduleId: string; deadline: number; startedAt: number }): Promise<FanOutcome> {
    const outcome: FanOutcome = { name: fan.name, plan: fan.plan, stage: 'sign-up' };
    const { deadline } = fan;
    try {
      const { token, userId } = await signUp(fan.name, deadline);
      outcome.userId = userId;
      outcome.stage = 'queue';
      let order: Record<string, unknown> | undefined;
      while (!order) {
        const queueToken = await waitForAdmission(fan.performanceId, token, deadline);
        outcome.admittedAfterMs ??= Date.now() - fan.startedAt;
        outcome.stage = 'hold';
        await sleep(200 + Math.random() * 800); // choosing seats
        const seatIds = await pickSeats(fan.scheduleId, 1 + Math.floor(Math.random() * 2), deadline);
        const held = await callUntil('/orders', {
          method: 'POST', token, body: { scheduleId: fan.scheduleId, seatIds }, headers: { 'x-queue-token': queueToken, 'idempotency-key': randomUUID() },
        }, deadline, (r) => r.body.code !== 'IDEMPOTENCY_KEY_IN_USE'); // a retry racing the first attempt (or one that died with its process)
        if (held.status === 201) order = held.body;
        else if (held.status === 403) { outcome.stage = 'queue'; continue; } // the admission window closed while we were away: queue again
        else if (held.status === 409 && held.body.code === 'ACTIVE_ORDER_EXISTS' && typeof held.body.orderId === 'string') {
          // An earlier attempt created the order but its answer was lost (booking died before replying,
          // and the key was freed as abandoned): carry on with that order, as a client would.
          order = (await callUntil(`/orders/${held.body.orderId}`, { token }, deadline, (r) => r.status === 200)).body;
        }
        else if (held.status !== 409) throw new Stop(`POST /orders ${held.status} ${String(held.body.code)}`);
        // 409 SEAT_UNAVAILABLE: someone was faster; pick again
      }
      outcome.orderId = order.id as string;
      outcome.orderStatus = order.status as string;
      if (fan.plan === 'abandon') return { ...outcome, stage: 'done' };

      outcome.stage = 'pay';
      await sleep(300 + Math.random() * 1000); // typing the card number
      const card = fan.plan === 'pay' ? GOOD_CARD : DECLINED_CARD;
      const paymentKey = randomUUID();
      const paid = await callUntil('/payments', {
        method: 'POST', token, body: { orderId: outcome.orderId, method: { type: 'card', cardNumber: card } }, headers: { 'idempotency-key': paymentKey },
        // 404: payment has not heard of the order yet (order.created still on its way)
      }, deadline, (r) => r.status !== 404 && r.body.code !== 'IDEMPOTENCY_KEY_IN_USE' && r.body.code !== 'PAYMENT_IN_PROGRESS');
      outcome.paymentStatus = paid.status === 201 ? String(paid.body.status) : `${paid.status} ${String(paid.body.code)}`;
      if (fan.plan === 'decline') {
        const cancelled = await call(`/orders/${outcome.orderId}`, { method: 'DELETE', token }, deadline);
        outcome.orderStatus = String(cancelled.body.status ?? cancelled.body.code);
        return { ...outcome, stage: 'done' };
      }
      outcome.stage = 'await-confirmation';
      // A paid order reaches CONFIRMED (or, if it expired meanwhile, the payment is refunded).
      const settled = await callUntil(`/orders/${outcome.orderId}`, { token }, Math.min(deadline, Date.now() + 60_000),
        (r) => r.status === 200 && r.body.status !== 'PENDING_PAYMENT');
      outcome.orderStatus = settled.body.status as string;
      outcome.stage = 'done';
    } catch (error) {
      if (!(error instanceof Stop)) throw error;
      outcome.stoppedBy = error.message;
    }
    return outcome;
  }

  return { stats, runFan, signUp, enter, waitForAdmission, call, callUntil };
}

/** Which plan the i-th fan follows: about 70 % pay, 15 % are declined, 15 % walk away. */
export function planFor(i: number): Plan {
  const r = i % 20;
  return r < 3 ? 'decline' : r < 6 ? 'abandon' : 'pay';
}
