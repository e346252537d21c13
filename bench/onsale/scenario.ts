/**
 * One on-sale rehearsal from start to books: a sample of fans signs up and logs in through the API
 * (scrypt, measured on its own); every other fan gets an access token signed with auth's key, as
 * a login would return. An admin creates the performance with its queue settings; every fan then
 * enters at once (fans.ts); afterwards booking's and payment's databases are checked.
 */
import { randomUUID } from 'node:crypto';
import { eventually } from '@ticketping/testing';
import { runFans, type FanIdentity, type JourneyResult } from './fans.ts';
import { watchMachine, watchProcesses, type MachineFigures, type ProcessFigures } from './proc.ts';
import { difference, scrapeHistograms, type Histograms } from './server-latency.ts';
import type { Books, Target } from './targets.ts';
import { readEventPaths, type EventPaths } from './event-paths.ts';

export interface RehearsalOptions {
  fans: number;
  seats: number;
  /** Fans who sign up and log in through the API (the rest get tokens signed with auth's key). */
  signUps: number;
  capacity: number;
  admitPerMinute: number;
  maxSeatsPerOrder: number;
  /**
   * The performance's proof-of-work difficulty (`proofOfWorkMaxNumber`). This one process
   * solves every fan's challenge, where a real sale has each browser solve its own; at the
   * waiting room's default it would spend minutes of the machine's cores solving, with its
   * event loop blocked, and time that instead of the servers. Checking a solution costs the
   * queue the same at any difficulty.
   */
  proofOfWorkMaxNumber: number;
  /** Fans arrive spread evenly over this long (0: every fan at the same instant). */
  arrivalMs: number;
  declineShare: number;
  abandonShare: number;
  deadlineMs: number;
  /** Receives a progress line about once a second while the sale runs. */
  progress?: (line: string) => void;
}

export interface Ledger { seatsSold: number; doubleSold: number; ordersByStatus: Record<string, number>; paymentsByStatus: Record<string, number>; paidLost: number; eventPaths: EventPaths }

export interface Rehearsal {
  signUp: { fans: number; seconds: number; signUpLatencies: number[]; loginLatencies: number[] };
  journey: JourneyResult;
  /** The gateway's own request histogram over the sale: latency the server measured. */
  serverLatency: Histograms;
  processes: ProcessFigures[];
  machine: MachineFigures;
  books: Ledger;
}

const json = { 'content-type': 'application/json' };

async function request(url: string, method: string, body?: unknown, token?: string, from?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers = { ...json, ...(token ? { authorization: `Bearer ${token}` } : {}), ...(from ? { 'x-forwarded-for': from } : {}) };
  const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/**
 * The fan's client address as the ingress would forward it: one per fan, each in its own /24, as
 * on the internet (the gateway caps sign-ups and entries per address and per /24).
 */
const ipOf = (i: number) => `10.${(i >> 8) & 255}.${i & 255}.1`;

async function signUpAndLogIn(target: Target, count: number): Promise<{ identities: FanIdentity[]; figures: Rehearsal['signUp'] }> {
  const started = performance.now();
  const figures: Rehearsal['signUp'] = { fans: count, seconds: 0, signUpLatencies: [], loginLatencies: [] };
  const identities: FanIdentity[] = [];
  let next = 0;
  // a few at a time: scrypt runs on libuv's four threads anyway
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let i = next++; i < count; i = next++) {
      const email = `fan-${i}-${randomUUID().slice(0, 8)}@onsale.test`;
      let t = performance.now();
      const created = await request(`${target.url}/api/v1/users`, 'POST', { email, password: 'correct horse battery', nickname: `fan${i}` }, undefined, ipOf(i));
      figures.signUpLatencies.push(performance.now() - t);
      if (created.status !== 201) throw new Error(`sign-up refused: ${created.status} ${JSON.stringify(created.body)}`);
      t = performance.now();
      const login = await request(`${target.url}/api/v1/auth/login`, 'POST', { email, password: 'correct horse battery' }, undefined, ipOf(i));
      figures.loginLatencies.push(performance.now() - t);
      if (login.status !== 200) throw new Error(`login refused: ${login.status} ${JSON.stringify(login.body)}`);
      identities.push({ token: String(login.body.accessToken), ip: ipOf(i) });
    }
  }));
  figures.seconds = (performance.now() - started) / 1000;
  return { identities, figures };
}

/** Rows × seats per row for `seats` seats in one section (at most 200 × 200). */
function layout(seats: number): { rows: number; seatsPerRow: number } {
  for (let perRow = Math.min(200, seats); perRow >= 1; perRow--) {
    if (seats % perRow === 0 && seats / perRow <= 200) return { rows: seats / perRow, seatsPerRow: perRow };
  }
  throw new Error(`cannot lay out ${seats} seats`);
}

async function createOnSale(target: Target, options: RehearsalOptions): Promise<{ performanceId: string; scheduleId: string }> {
  const login = await request(`${target.url}/api/v1/auth/login`, 'POST', target.admin);
  const adminToken = String(login.body.accessToken);
  const created = await request(`${target.url}/api/v1/performances`, 'POST', {
    title: 'On-sale rehearsal', venue: 'Bench Arena', description: 'bench/onsale', maxSeatsPerOrder: options.maxSeatsPerOrder,
    bookingOpensAt: new Date(Date.now() - 60_000).toISOString(), bookingClosesAt: new Date(Date.now() + 3 * 3600_000).toISOString(),
    schedules: [{ startsAt: new Date(Date.now() + 7 * 86_400_000).toISOString() }],
    sections: [{ name: 'Floor', ...layout(options.seats), grade: 'R', price: 9900, currency: 'USD' }],
    queue: { capacity: options.capacity, admitPerMinute: options.admitPerMinute },
  }, adminToken);
  if (created.status !== 201) throw new Error(`performance refused: ${created.status} ${JSON.stringify(created.body)}`);
  const performanceId = String(created.body.id);
  const scheduleId = (created.body.schedules as Array<{ id: string }>)[0]!.id;
  // the queue learns of the performance from catalog's event; by default its line holds twice
  // the seats, and this rehearsal wants every fan in line
  await eventually(async () => (await request(`${target.url}/api/v1/queues/${performanceId}`, 'GET')).status === 200, 60_000, 100);
  const patched = await request(`${target.url}/api/v1/queues/${performanceId}`, 'PATCH', { maxLine: options.fans, proofOfWorkMaxNumber: options.proofOfWorkMaxNumber }, adminToken);
  if (patched.status >= 300) throw new Error(`queue settings refused: ${patched.status} ${JSON.stringify(patched.body)}`);
  await target.seatsReady(scheduleId, options.seats);
  return { performanceId, scheduleId };
}

export async function readBooks(books: Books, scheduleId: string): Promise<Ledger> {
  const tally = (rows: Array<Record<string, unknown>>) => Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)]));
  const sold = await books.query('booking', `select count(distinct os.seat_id)::int as n from booking.order_seats os join booking.orders o on o.id = os.order_id
    where o.status = 'CONFIRMED' and o.schedule_id = $1`, [scheduleId]);
  // a seat in two live orders (held or sold) at once is the oversell the design forbids
  const twice = await books.query('booking', `select count(*)::int as n from (select os.seat_id from booking.order_seats os join booking.orders o on o.id = os.order_id
    where o.status in ('PENDING_PAYMENT', 'CONFIRMED') group by os.seat_id having count(*) > 1) d`);
  const orders = await books.query('booking', 'select status, count(*)::int as n from booking.orders where schedule_id = $1 group by status', [scheduleId]);
  const payments = await books.query('payment', 'select status, count(*)::int as n from payment.payments group by status');
  // money taken must end in a confirmed order or a refund: every SUCCEEDED payment's order is CONFIRMED or REFUNDED
  const paid = await books.query('payment', `select order_id::text as order_id from payment.payments where status = 'SUCCEEDED'`);
  const orderStatus = new Map((await books.query('booking', 'select id::text as id, status from booking.orders')).map((r) => [String(r.id), String(r.status)]));
  const paidLost = paid.filter((p) => !['CONFIRMED', 'REFUNDED'].includes(orderStatus.get(String(p.order_id)) ?? 'missing')).length;
  return { seatsSold: Number(sold[0]!.n), doubleSold: Number(twice[0]!.n), ordersByStatus: tally(orders), paymentsByStatus: tally(payments), paidLost, eventPaths: await readEventPaths(books) };
}

export async function rehearse(target: Target, options: RehearsalOptions): Promise<Rehearsal> {
  let books: Books | undefined;
  try {
    const { identities, figures } = await signUpAndLogIn(target, Math.min(options.signUps, options.fans));
    for (let i = identities.length; i < options.fans; i++) {
      const { token } = await target.authSigner.sign({ subject: randomUUID(), audience: 'ticketping-api', expiresInSeconds: 3600, claims: { role: 'USER' } });
      identities.push({ token, ip: ipOf(i) });
    }
    const { performanceId, scheduleId } = await createOnSale(target, options);
    const watcher = watchProcesses([...target.processes, { name: 'driver (this bench)', pid: process.pid }]);
    const machineWatcher = watchMachine();
    let processes: ProcessFigures[] = [];
    let machine: MachineFigures = { cores: 0, busyPercent: Number.NaN };
    let journey: JourneyResult;
    const histogramsBefore = await scrapeHistograms(target.metricsUrl);
    try {
      journey = await runFans({
        url: target.url, performanceId, scheduleId, fans: identities, maxSeatsPerOrder: options.maxSeatsPerOrder, arrivalMs: options.arrivalMs,
        declineShare: options.declineShare, abandonShare: options.abandonShare, holdAttempts: 5, deadlineMs: options.deadlineMs,
        ...(options.progress ? { progress: options.progress } : {}),
      }, options.seats);
    } finally {
      processes = watcher.stop(); // before the platform stops: it reads the processes' final figures
      machine = machineWatcher.stop();
    }
    const serverLatency = difference(await scrapeHistograms(target.metricsUrl), histogramsBefore);
    books = await target.finish();
    return { signUp: figures, journey, serverLatency, processes, machine, books: await readBooks(books, scheduleId) };
  } finally {
    books ??= await target.finish();
    await books.close();
  }
}
