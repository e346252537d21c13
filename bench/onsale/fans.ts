/**
 * The fans' side of an on-sale, through the gateway as the web pages do it: enter the waiting room
 * (all at once), poll at the `pollAfterMs` the queue asks for, and once admitted read the seat map,
 * hold random available seats, then pay (some cards declined, then paid with another card), or
 * abandon the checkout (cancel the order and leave). A fan who paid waits until the order is
 * CONFIRMED. Each fan has a connection of its own (an undici Client, keep-alive, one request at a
 * time, as a browser tab), so no request ever waits in the driver for a free connection: a queue
 * shared by every fan measured the driver, not the server. Fans arrive all at once or spread
 * evenly over `arrivalMs`, whatever the server answers (an open arrival schedule).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'undici';
import { entryBody, type ProofOfWorkChallenge } from '@ticketping/testing';

export const GOOD_CARD = '4242424242424242';
export const DECLINED_CARD = '4000000000000002';

/** A signed-in fan: an access token and the client address the ingress would forward. */
export interface FanIdentity { token: string; ip: string }

export interface JourneyOptions {
  url: string;
  performanceId: string;
  scheduleId: string;
  maxSeatsPerOrder: number;
  fans: FanIdentity[];
  /** Fans arrive spread evenly over this long (0: every fan at the same instant). */
  arrivalMs: number;
  /** Share of paying fans whose first card is declined (they pay again with a good one). */
  declineShare: number;
  /** Share of fans with a hold who abandon the checkout (cancel the order, leave the queue). */
  abandonShare: number;
  /** Holds a fan tries (a fresh seat map each time) before giving up. */
  holdAttempts: number;
  /** Fans still busy after this long stop where they are. */
  deadlineMs: number;
  /** Called about once a second while the sale runs, with a line of progress. */
  progress?: (line: string) => void;
}

export type Outcome = 'bought' | 'abandoned' | 'no seats left' | 'sold out while waiting' | 'expired' | 'entry refused' | 'payment failed' | 'not confirmed' | 'hold refused' | 'timed out';

export interface JourneyResult {
  wallMs: number;
  entryLatencies: number[];
  /** ms from the start until the last entry was answered. */
  entriesDoneMs: number;
  pollLatencies: number[];
  holdLatencies: number[];
  payLatencies: number[];
  /** ms from the start, one per event. */
  admittedAt: number[];
  heldAt: number[];
  confirmedAt: number[];
  seatsConfirmed: number;
  /** ms from the start until confirmed orders held every seat (NaN: never). */
  soldOutMs: number;
  declined: number;
  outcomes: Map<Outcome, number>;
  /** "<route> <status> <code>" → count, every answer. */
  answers: Map<string, number>;
}

interface Reply { status: number; body: Record<string, unknown>; ms: number }
/** One request on the fan's own connection, named by `route` in the figures. */
type Call = (route: string, method: 'GET' | 'POST' | 'DELETE', path: string, headers: Record<string, string>, body?: unknown) => Promise<Reply>;

export async function runFans(options: JourneyOptions, totalSeats: number): Promise<JourneyResult> {
  const result: JourneyResult = {
    wallMs: 0, entryLatencies: [], entriesDoneMs: 0, pollLatencies: [], holdLatencies: [], payLatencies: [],
    admittedAt: [], heldAt: [], confirmedAt: [], seatsConfirmed: 0, soldOutMs: Number.NaN, declined: 0, outcomes: new Map(), answers: new Map(),
  };
  const started = performance.now();
  const since = () => performance.now() - started;
  const deadline = started + options.deadlineMs;
  const count = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);
  const queuePath = `/api/v1/queues/${options.performanceId}/entries`;
  const challengePath = `/api/v1/queues/${options.performanceId}/challenge`;

  const live = { entered: 0, polls: 0, done: 0 };

  async function send(client: Client, route: string, method: 'GET' | 'POST' | 'DELETE', path: string, headers: Record<string, string>, body?: unknown): Promise<Reply> {
    const sent = performance.now();
    try {
      const res = await client.request({ method, path, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await res.body.text();
      const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      count(result.answers, `${route} ${res.statusCode}${typeof parsed.code === 'string' ? ` ${parsed.code}` : ''}`);
      return { status: res.statusCode, body: parsed, ms: performance.now() - sent };
    } catch (error) {
      count(result.answers, `${route} network error ${(error as Error).name}`);
      return { status: 0, body: {}, ms: performance.now() - sent };
    }
  }

  async function waitInLine(call: Call, headers: Record<string, string>): Promise<{ queueToken: string } | Outcome> {
    // the documented entry: a proof-of-work challenge, solved here, sent with the entry (the entry
    // latency is the entry request's alone; the challenge's is counted under its own route)
    const challenge = await call('challenge', 'POST', challengePath, headers, {});
    if (challenge.status !== 200) return 'entry refused';
    const entered = await call('enter queue', 'POST', queuePath, headers, entryBody(challenge.body as unknown as ProofOfWorkChallenge));
    result.entryLatencies.push(entered.ms);
    result.entriesDoneMs = Math.max(result.entriesDoneMs, since());
    if (entered.status !== 200) return 'entry refused';
    live.entered++;
    let entry = entered.body;
    while (entry.status === 'WAITING' || (entry.status === 'ADMITTED' && !entry.queueToken)) {
      if (performance.now() > deadline) return 'timed out';
      await sleep(Number(entry.pollAfterMs ?? 2000));
      const polled = await call('poll', 'GET', `${queuePath}/me`, headers);
      result.pollLatencies.push(polled.ms);
      live.polls++;
      if (polled.status !== 200) return 'expired';
      entry = polled.body;
    }
    if (entry.status !== 'ADMITTED') return entry.reason === 'SOLD_OUT' ? 'sold out while waiting' : 'expired';
    result.admittedAt.push(since());
    return { queueToken: String(entry.queueToken) };
  }

  async function hold(call: Call, headers: Record<string, string>): Promise<Record<string, unknown> | Outcome> {
    for (let attempt = 0; attempt < options.holdAttempts; attempt++) {
      const map = await call('seat map', 'GET', `/api/v1/schedules/${options.scheduleId}/seats`, headers);
      const available = ((map.body.items ?? []) as Array<{ id: string; status: string }>).filter((s) => s.status === 'AVAILABLE').map((s) => s.id);
      if (available.length === 0) return 'no seats left';
      const wanted = Math.min(available.length, 1 + Math.floor(Math.random() * options.maxSeatsPerOrder));
      const seatIds: string[] = [];
      while (seatIds.length < wanted) seatIds.push(...available.splice(Math.floor(Math.random() * available.length), 1));
      const held = await call('hold', 'POST', '/api/v1/orders', { ...headers, 'idempotency-key': randomUUID() }, { scheduleId: options.scheduleId, seatIds });
      result.holdLatencies.push(held.ms);
      if (held.status === 201) {
        result.heldAt.push(since());
        return held.body;
      }
      if (held.body.code !== 'SEAT_UNAVAILABLE') return 'hold refused';
    }
    return 'no seats left';
  }

  async function pay(call: Call, headers: Record<string, string>, orderId: string, cardNumber: string): Promise<string> {
    let paid = await call('pay', 'POST', '/api/v1/payments', { ...headers, 'idempotency-key': randomUUID() }, { orderId, method: { type: 'card', cardNumber } });
    result.payLatencies.push(paid.ms);
    if (paid.status !== 201) return 'FAILED';
    while (paid.body.status === 'PENDING' && performance.now() < deadline) {
      await sleep(200);
      paid = await call('payment status', 'GET', `/api/v1/payments/${String(paid.body.id)}`, headers);
    }
    return String(paid.body.status);
  }

  async function checkout(call: Call, headers: Record<string, string>, order: Record<string, unknown>): Promise<Outcome> {
    const orderId = String(order.id);
    if (Math.random() < options.abandonShare) {
      await call('cancel order', 'DELETE', `/api/v1/orders/${orderId}`, headers);
      return 'abandoned';
    }
    let status = 'FAILED';
    if (Math.random() < options.declineShare) {
      status = await pay(call, headers, orderId, DECLINED_CARD);
      if (status === 'FAILED') result.declined++;
    }
    if (status !== 'SUCCEEDED') status = await pay(call, headers, orderId, GOOD_CARD);
    if (status !== 'SUCCEEDED') {
      await call('cancel order', 'DELETE', `/api/v1/orders/${orderId}`, headers);
      return 'payment failed';
    }
    // the checkout page waits for the confirmation (the API promises it within 2 s of payment)
    const confirmBy = performance.now() + 15_000;
    while (performance.now() < confirmBy) {
      const current = await call('order status', 'GET', `/api/v1/orders/${orderId}`, headers);
      if (current.body.status === 'CONFIRMED') {
        result.confirmedAt.push(since());
        result.seatsConfirmed += (order.seats as unknown[]).length;
        if (result.seatsConfirmed >= totalSeats && Number.isNaN(result.soldOutMs)) result.soldOutMs = since();
        return 'bought';
      }
      await sleep(200);
    }
    return 'not confirmed';
  }

  async function journey(fan: FanIdentity, call: Call): Promise<Outcome> {
    const headers = { authorization: `Bearer ${fan.token}`, 'x-forwarded-for': fan.ip, 'content-type': 'application/json' };
    const admitted = await waitInLine(call, headers);
    if (typeof admitted === 'string') return admitted;
    const withToken = { ...headers, 'x-queue-token': admitted.queueToken };
    const held = await hold(call, withToken);
    const outcome = typeof held === 'string' ? held : await checkout(call, withToken, held);
    // a confirmed order frees the slot by itself; everyone else leaves so the next fan gets in
    if (outcome !== 'bought') await call('leave queue', 'DELETE', `${queuePath}/me`, headers);
    return outcome;
  }

  async function arrive(fan: FanIdentity, index: number): Promise<void> {
    if (options.arrivalMs > 0) await sleep((index * options.arrivalMs) / options.fans.length);
    const client = new Client(options.url, { pipelining: 1, keepAliveTimeout: 60_000 });
    try {
      count(result.outcomes, await journey(fan, (...args) => send(client, ...args)));
    } finally {
      live.done++;
      await client.close();
    }
  }

  let polledBefore = 0;
  const ticker = setInterval(() => {
    const polls = live.polls - polledBefore;
    polledBefore = live.polls;
    options.progress?.(`[${(since() / 1000).toFixed(0).padStart(4)} s] entered ${live.entered}/${options.fans.length}, admitted ${result.admittedAt.length}, ` +
      `orders held ${result.heldAt.length}, seats sold ${result.seatsConfirmed}/${totalSeats}, fans done ${live.done}; ${polls} polls in the last second`);
  }, 1000);
  try {
    await Promise.all(options.fans.map(arrive));
  } finally {
    clearInterval(ticker);
  }
  result.wallMs = since();
  return result;
}
