/**
 * The on-sale rehearsal of bench/onsale/run.ts for a cluster, as a k6 script: every virtual user is
 * one fan who signs up and logs in, then at one common instant enters the waiting room, polls at
 * the pollAfterMs it is given, and once admitted reads the seat map, holds random available seats
 * and pays (some cards declined first, some fans abandon the checkout), then waits for CONFIRMED.
 *
 *   k6 run -e BASE_URL=https://tickets.example.test -e ADMIN_EMAIL=… -e ADMIN_PASSWORD=… \
 *          [-e FANS=10000] [-e SEATS=2000] [-e CAPACITY=500] [-e ADMIT_PER_MINUTE=3000] \
 *          [-e DECLINE=0.1] [-e ABANDON=0.1] [-e SIGNUP_SECONDS=300] bench/k6/onsale.js
 *
 * Thresholds: status polls p99 under 500 ms, no 5xx answer at all, 99 % of checks pass.
 * Fans sign up through the API (scrypt: give SIGNUP_SECONDS enough for FANS sign-ups on auth's
 * replicas); the gateway limits each client address (RATE_LIMIT_PER_IP, 1000 per 10 s by
 * default) and caps sign-ups and waiting-line entries per address and per /24 (CAP_*): from a
 * few load generators, raise them for the rehearsal or the crowd is throttled.
 * Afterwards check the books as bench/onsale does: no seat in two live orders, every SUCCEEDED
 * payment's order CONFIRMED or REFUNDED.
 */
/* global __ENV */
import http from 'k6/http';
import { check, fail, sleep } from 'k6';
import exec from 'k6/execution';
import { Counter, Trend } from 'k6/metrics';

const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const FANS = Number(__ENV.FANS || 10000);
const SEATS = Number(__ENV.SEATS || 2000);
const CAPACITY = Number(__ENV.CAPACITY || 500);
const ADMIT_PER_MINUTE = Number(__ENV.ADMIT_PER_MINUTE || 3000);
const MAX_SEATS_PER_ORDER = Number(__ENV.MAX_SEATS_PER_ORDER || 4);
const DECLINE = Number(__ENV.DECLINE || 0.1);
const ABANDON = Number(__ENV.ABANDON || 0.1);
const SIGNUP_SECONDS = Number(__ENV.SIGNUP_SECONDS || 300);
const GOOD_CARD = '4242424242424242';
const DECLINED_CARD = '4000000000000002';

const serverErrors = new Counter('onsale_5xx');
const fansBought = new Counter('onsale_fans_bought');
const seatsConfirmed = new Counter('onsale_seats_confirmed');
const paymentsDeclined = new Counter('onsale_payments_declined');
const waitSeconds = new Trend('onsale_wait_seconds');

export const options = {
  setupTimeout: '120s',
  scenarios: {
    onsale: { executor: 'per-vu-iterations', vus: FANS, iterations: 1, maxDuration: `${SIGNUP_SECONDS + 1200}s` },
  },
  thresholds: {
    'http_req_duration{name:poll}': ['p(99)<500'],
    onsale_5xx: ['count==0'],
    checks: ['rate>0.99'],
  },
};

const json = (token, extra) => ({ 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(extra || {}) });

function uuid() {
  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => {
    const r = Math.floor(Math.random() * 16);
    return (c === 'x' ? r : (r % 4) + 8).toString(16);
  });
}

/** Every request goes through here: it names the request for the metrics and counts 5xx. */
function call(method, path, name, body, headers) {
  const res = http.request(method, `${BASE_URL}${path}`, body === undefined ? null : JSON.stringify(body), { headers, tags: { name } });
  if (res.status >= 500 || res.status === 0) serverErrors.add(1, { name });
  return res;
}

const bodyOf = (res) => {
  try {
    return res.json() || {};
  } catch {
    return {};
  }
};

function layout(seats) {
  for (let perRow = Math.min(200, seats); perRow >= 1; perRow--) {
    if (seats % perRow === 0 && seats / perRow <= 200) return { rows: seats / perRow, seatsPerRow: perRow };
  }
  return fail(`cannot lay out ${seats} seats`);
}

export function setup() {
  const login = call('POST', '/api/v1/auth/login', 'admin login', { email: __ENV.ADMIN_EMAIL, password: __ENV.ADMIN_PASSWORD }, json());
  if (login.status !== 200) fail(`admin login: ${login.status}`);
  const admin = bodyOf(login).accessToken;
  const now = Date.now();
  const created = call('POST', '/api/v1/performances', 'create performance', {
    title: 'On-sale rehearsal (k6)', venue: 'Bench Arena', description: 'bench/k6/onsale.js', maxSeatsPerOrder: MAX_SEATS_PER_ORDER,
    bookingOpensAt: new Date(now - 60000).toISOString(), bookingClosesAt: new Date(now + 3 * 3600000).toISOString(),
    schedules: [{ startsAt: new Date(now + 7 * 86400000).toISOString() }],
    sections: [Object.assign({ name: 'Floor', grade: 'R', price: 9900, currency: 'USD' }, layout(SEATS))],
    queue: { capacity: CAPACITY, admitPerMinute: ADMIT_PER_MINUTE },
  }, json(admin));
  if (created.status !== 201) fail(`create performance: ${created.status} ${created.body}`);
  const performance = bodyOf(created);
  // the queue learns of the performance from catalog's event; then every fan may stand in line
  for (let i = 0; i < 120 && call('GET', `/api/v1/queues/${performance.id}`, 'queue figures').status !== 200; i++) sleep(0.5);
  const patched = call('PATCH', `/api/v1/queues/${performance.id}`, 'queue settings', { maxLine: FANS }, json(admin));
  if (patched.status >= 300) fail(`queue settings: ${patched.status}`);
  return { performanceId: performance.id, scheduleId: performance.schedules[0].id, startAt: now + SIGNUP_SECONDS * 1000 };
}

function signIn() {
  const email = `k6-fan-${exec.vu.idInTest}-${uuid().slice(0, 8)}@onsale.test`;
  const password = 'correct horse battery';
  check(call('POST', '/api/v1/users', 'sign up', { email, password, nickname: `fan${exec.vu.idInTest}` }, json()), { 'signed up': (r) => r.status === 201 });
  const login = call('POST', '/api/v1/auth/login', 'login', { email, password }, json());
  check(login, { 'logged in': (r) => r.status === 200 });
  return bodyOf(login).accessToken;
}

function waitInLine(sale, token) {
  const entries = `/api/v1/queues/${sale.performanceId}/entries`;
  const entered = call('POST', entries, 'enter', undefined, json(token));
  if (!check(entered, { 'entered the queue': (r) => r.status === 200 })) return undefined;
  const since = Date.now();
  let entry = bodyOf(entered);
  while (entry.status === 'WAITING' || (entry.status === 'ADMITTED' && !entry.queueToken)) {
    sleep((entry.pollAfterMs || 2000) / 1000);
    const polled = call('GET', `${entries}/me`, 'poll', undefined, json(token));
    if (!check(polled, { 'poll answered': (r) => r.status === 200 })) return undefined;
    entry = bodyOf(polled);
  }
  waitSeconds.add((Date.now() - since) / 1000);
  return entry.status === 'ADMITTED' ? entry.queueToken : undefined;
}

function hold(sale, headers) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const map = bodyOf(call('GET', `/api/v1/schedules/${sale.scheduleId}/seats`, 'seat map', undefined, headers));
    const available = (map.items || []).filter((s) => s.status === 'AVAILABLE').map((s) => s.id);
    if (available.length === 0) return undefined;
    const wanted = Math.min(available.length, 1 + Math.floor(Math.random() * MAX_SEATS_PER_ORDER));
    const seatIds = [];
    while (seatIds.length < wanted) seatIds.push(available.splice(Math.floor(Math.random() * available.length), 1)[0]);
    const held = call('POST', '/api/v1/orders', 'hold', { scheduleId: sale.scheduleId, seatIds }, Object.assign({ 'idempotency-key': uuid() }, headers));
    if (held.status === 201) return bodyOf(held);
    if (!check(held, { 'hold: 201 or 409 SEAT_UNAVAILABLE': (r) => r.status === 409 && bodyOf(r).code === 'SEAT_UNAVAILABLE' })) return undefined;
  }
  return undefined;
}

function pay(order, headers, cardNumber) {
  let payment = bodyOf(call('POST', '/api/v1/payments', 'pay', { orderId: order.id, method: { type: 'card', cardNumber } }, Object.assign({ 'idempotency-key': uuid() }, headers)));
  for (let i = 0; i < 50 && payment.status === 'PENDING'; i++) {
    sleep(0.2);
    payment = bodyOf(call('GET', `/api/v1/payments/${payment.id}`, 'payment status', undefined, headers));
  }
  return payment.status;
}

function checkout(order, headers) {
  if (Math.random() < ABANDON) {
    call('DELETE', `/api/v1/orders/${order.id}`, 'cancel order', undefined, headers);
    return false;
  }
  let status = 'FAILED';
  if (Math.random() < DECLINE) {
    status = pay(order, headers, DECLINED_CARD);
    if (status === 'FAILED') paymentsDeclined.add(1);
  }
  if (status !== 'SUCCEEDED') status = pay(order, headers, GOOD_CARD);
  if (!check(status, { 'paid with a good card': (s) => s === 'SUCCEEDED' })) return false;
  for (let i = 0; i < 75; i++) {
    if (bodyOf(call('GET', `/api/v1/orders/${order.id}`, 'order status', undefined, headers)).status === 'CONFIRMED') {
      seatsConfirmed.add(order.seats.length);
      return true;
    }
    sleep(0.2);
  }
  return check(false, { 'order confirmed within 15 s of payment': (confirmed) => confirmed });
}

export default function fan(sale) {
  const token = signIn();
  if (!token) return;
  sleep(Math.max(0, sale.startAt - Date.now()) / 1000); // everyone enters at once
  const queueToken = waitInLine(sale, token);
  const headers = json(token);
  const bought = queueToken ? (() => {
    const order = hold(sale, json(token, { 'x-queue-token': queueToken }));
    return order ? checkout(order, json(token, { 'x-queue-token': queueToken })) : false;
  })() : false;
  if (bought) fansBought.add(1);
  // a confirmed order frees the admission slot by itself; everyone else leaves the line
  else call('DELETE', `/api/v1/queues/${sale.performanceId}/entries/me`, 'leave queue', undefined, headers);
}

export function teardown(sale) {
  const figures = bodyOf(call('GET', `/api/v1/queues/${sale.performanceId}`, 'queue figures'));
  console.log(`queue after the sale: ${JSON.stringify(figures)}`);
}
