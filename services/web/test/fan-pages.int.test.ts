// The fans' and the organiser's pages in headless Chromium against the whole platform in standalone
// mode (real gateway, auth, catalog, queue, booking, payment and tickets; embedded Postgres,
// redis-server, events on Redis Streams).
// One platform and one build for both scenarios: the machine has two cores.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startStandalone, type Standalone } from '@ticketping/standalone';
import { eventually, randomPrefix } from '@ticketping/testing';
import type { Request } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { signUpApiFan } from './api.ts';
import { browserSession, screenshot, type Browser } from './browser.ts';
import { buildPagesIfStale } from './build.ts';
import { chooseSeatsWithKeyboard, createPerformanceOnAdminPage, logIn, setQueueCapacityOnAdminPage, setQueueDifficultyOnAdminPage, signUp } from './pages.ts';

let platform: Standalone | undefined;
let dataDir: string | undefined;
let admin: Browser | undefined;
const session = browserSession('fan-pages');
const { pageErrors, withFailureScreenshots } = session;

const browser = (viewport?: { width: number; height: number }) => session.open(viewport ? { viewport } : {});

test.before(async () => {
  await buildPagesIfStale();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketping-web-e2e-'));
  platform = await startStandalone({ port: 0, seedDemo: false, dataDir, logLevel: 'warn' });
  admin = await browser();
  await logIn(admin.page, platform.url, platform.adminEmail, platform.adminPassword, '#/admin');
});

test('a sale for confirmed addresses only: the waiting room tells a new fan why not, the verify page refuses a wrong code and limits resends, and the link in the mail lets the fan in', withFailureScreenshots(async () => {
  const base = platform!.url;
  const title = `Quiet Hour ${randomPrefix('q').slice(-4)}`;
  const performanceId = await createPerformanceOnAdminPage(admin!.page, base, { title, venue: 'Reading Room', capacity: 10, admitPerMinute: 600, rows: 2, seatsPerRow: 5, price: '12', confirmedFansOnly: true });

  const fan = await browser();
  const page = fan.page;
  await page.goto(`${base}/#/signup?next=${encodeURIComponent(`#/performances/${performanceId}/queue`)}`);
  const email = `${randomPrefix('cy')}@example.com`;
  await signUp(page, { nickname: 'Cy', email, password: 'correct horse battery' });
  await page.getByRole('alert').filter({ hasText: 'This sale admits only confirmed e-mail addresses' }).waitFor({ timeout: 30_000 });
  await screenshot(page, 'queue-unconfirmed');

  await page.getByRole('link', { name: 'Confirm my address' }).click();
  await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
  await page.getByLabel('Code from the mail').fill('not-the-code-from-the-mail-at-all');
  await page.getByRole('button', { name: 'Confirm', exact: true }).click();
  await page.getByText('This code is unknown or has expired').waitFor();
  // the sign-up mail went out a moment ago: a resend is refused for now, and the page says when to try
  await page.getByRole('button', { name: 'Send it again' }).click();
  await page.getByText(/A mail went out a moment ago; try again in \d+ seconds/).waitFor();
  await screenshot(page, 'verify');

  // The mail is in standalone's local mailbox: its link confirms the address, and the fan gets in.
  const link = await eventually(async () => {
    const { messages } = (await (await fetch(new URL('/api/messages', platform!.mailUrl))).json()) as { messages: Array<{ id: string; to: string[] }> };
    const mine = messages.find((m) => m.to.some((to) => to.toLowerCase().includes(email.toLowerCase())));
    if (!mine) return undefined;
    const { text } = (await (await fetch(new URL(`/api/messages/${encodeURIComponent(mine.id)}`, platform!.mailUrl))).json()) as { text: string };
    return /https?:\/\/\S+#\/verify\?token=[\w-]+/.exec(text)?.[0];
  }, 20_000, 250);
  await page.goto(link);
  await page.getByRole('heading', { name: 'Your address is confirmed' }).waitFor();
  await screenshot(page, 'verified');
  await page.goto(`${base}/#/performances/${performanceId}/queue`);
  await page.waitForURL(/\/seats$/, { timeout: 60_000 });
  assert.equal(pageErrors, []);
}));

test.after(async () => {
  await session.closeAll();
  await platform?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('a fan goes from sign-up to a confirmed booking, sees sold seats, and cancels an unpaid order', withFailureScreenshots(async () => {
  const base = platform!.url;
  const title = `Swan Lake ${randomPrefix('s').slice(-4)}`;
  const performanceId = await createPerformanceOnAdminPage(admin!.page, base, { title, venue: 'Royal Opera House', capacity: 50, admitPerMinute: 600, rows: 4, seatsPerRow: 8, price: '65', dates: 2 });
  await screenshot(admin!.page, 'admin');

  const fan = await browser();
  const page = fan.page;
  const rumPayloads: string[] = [];
  const rumAnswers: number[] = [];
  page.on('request', (request: Request) => {
    if (request.method() === 'POST' && request.url().endsWith('/api/v1/rum')) rumPayloads.push(request.postData() ?? '');
  });
  page.on('response', (response) => {
    if (response.request().method() === 'POST' && response.url().endsWith('/api/v1/rum')) rumAnswers.push(response.status());
  });
  // the waiting room's entry: a challenge, then the entry carrying the number the worker found
  const entrySteps: { path: string; status: number; body: string }[] = [];
  page.on('response', (response) => {
    const url = response.url();
    if (response.request().method() === 'POST' && /\/api\/v1\/queues\/[^/]+\/(challenge|entries)$/.test(url)) {
      entrySteps.push({ path: url.slice(url.lastIndexOf('/') + 1), status: response.status(), body: response.request().postData() ?? '' });
    }
  });

  await page.goto(`${base}/`);
  await page.getByRole('link', { name: title }).waitFor();
  await screenshot(page, 'performances');
  await page.getByRole('link', { name: title }).click();
  await page.getByRole('heading', { name: title }).waitFor();
  await screenshot(page, 'performance');

  // Not signed in: "Get tickets" asks for an account, then comes back to the waiting room.
  await page.getByRole('link', { name: /^Get tickets/ }).first().click();
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await screenshot(page, 'login');
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByRole('heading', { name: 'Create your account' }).waitFor();
  await screenshot(page, 'signup');
  await signUp(page, { nickname: 'Ada', email: `${randomPrefix('ada')}@example.com`, password: 'correct horse battery' });

  // Room to spare: the waiting room admits at once and moves on to the seat map by itself.
  await page.waitForURL(/\/seats$/, { timeout: 60_000 });
  await page.getByRole('heading', { name: 'Seat map' }).waitFor();
  // ...after solving the proof-of-work in its worker: the server took the number it sent
  assert.equal(entrySteps.map((step) => [step.path, step.status]), [['challenge', 200], ['entries', 200]]);
  assert.type((JSON.parse(entrySteps[1]!.body) as { proofOfWork?: { number?: unknown } }).proofOfWork?.number, 'number');
  await chooseSeatsWithKeyboard(page, 2);
  assert.is(await page.locator('button.seat[aria-pressed="true"]').count(), 2, 'two seats chosen with the keyboard');
  const chosen = await page.locator('button.seat[aria-pressed="true"]').evaluateAll((els) => els.map((el) => el.getAttribute('data-seat-id')));
  await page.locator('.selection-panel .total').waitFor();
  await screenshot(page, 'seat-map');

  await page.getByRole('button', { name: 'Hold seats and pay' }).click();
  await page.getByRole('heading', { name: 'Checkout' }).waitFor();
  await page.getByText('Seats held for').waitFor();
  await screenshot(page, 'checkout');

  await page.getByLabel('Card number').fill('4000 0000 0000 0002');
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByRole('alert').filter({ hasText: 'declined' }).waitFor({ timeout: 30_000 });
  await screenshot(page, 'checkout-declined');

  await page.getByLabel('Card number').fill('4242424242424242');
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.waitForURL(/\/confirmation$/, { timeout: 30_000 });
  await page.getByRole('heading', { name: 'You are going!' }).waitFor();
  assert.ok(await page.getByText('Confirmed').first().isVisible());
  await screenshot(page, 'confirmation');

  // The seats just bought show as sold on that date's map (the fan is still admitted).
  await page.goto(`${base}/#/performances/${performanceId}`);
  const scheduleLinks = page.getByRole('link', { name: /^Get tickets/ });
  await scheduleLinks.first().click();
  await page.waitForURL(/\/seats$/, { timeout: 60_000 });
  for (const seatId of chosen) {
    // Seat status reaches the catalog through booking's events: eventually consistent, so allow for a loaded machine.
    await eventually(async () => (await page.locator(`[data-seat-id="${seatId}"]`).getAttribute('aria-label'))?.endsWith(', sold'), 45_000);
  }

  // One order per fan and date: the second date takes one more seat, left unpaid.
  await page.goto(`${base}/#/performances/${performanceId}`);
  await scheduleLinks.nth(1).click();
  await page.waitForURL(/\/seats$/, { timeout: 60_000 });
  await page.getByRole('heading', { name: 'Seat map' }).waitFor();
  await chooseSeatsWithKeyboard(page, 1);
  await page.getByRole('button', { name: 'Hold seats and pay' }).click();
  await page.getByRole('heading', { name: 'Checkout' }).waitFor();

  // My bookings: the paid order is confirmed; the unpaid one can be cancelled.
  await page.getByRole('link', { name: 'My bookings' }).click();
  await page.getByRole('heading', { name: 'My bookings' }).waitFor();
  await page.getByRole('button', { name: /^Cancel booking/ }).click();
  await page.getByRole('button', { name: /^Yes, cancel/ }).click();
  await page.getByText('Cancelled', { exact: true }).waitFor();
  assert.is(await page.getByText('Confirmed', { exact: true }).count(), 1);
  await screenshot(page, 'bookings');

  // My tickets: return one for resale at face value. The quote comes first (price paid, fee, what
  // comes back); listed, the ticket stays valid and its status shows; withdrawn, it is the fan's again.
  await page.goto(`${base}/#/tickets`);
  await page.getByRole('heading', { name: 'My tickets' }).waitFor();
  const returnButtons = page.getByRole('button', { name: 'Return for resale' });
  await eventually(async () => (await returnButtons.count()) === 2, 45_000);
  await returnButtons.first().click();
  await page.locator('.return-quote').filter({ hasText: 'back (a fee of' }).waitFor({ timeout: 15_000 });
  assert.match((await page.locator('.return-quote').textContent()) ?? '', /Resold at the price you paid/);
  await screenshot(page, 'my-tickets-return-quote');
  await page.getByRole('button', { name: 'Return it' }).click();
  await page.locator('[data-return-status="LISTED"]').getByText('Listed for resale').waitFor({ timeout: 15_000 });
  assert.is(await page.getByText('Valid', { exact: true }).count(), 2, 'a listed ticket stays valid until it is sold');
  await screenshot(page, 'my-tickets-listed');
  await page.getByRole('button', { name: 'Keep my ticket (withdraw)' }).click();
  await eventually(async () => (await returnButtons.count()) === 2, 15_000);

  // Real-user telemetry left the page (page views, web vitals, errors, one session id) and the
  // gateway took it (its counting by kind is the gateway's own test: /metrics is on the
  // management port, which the pages never reach).
  await page.evaluate(() => setTimeout(() => { throw new Error('telemetry probe'); }, 0));
  await eventually(() => rumPayloads.some((p) => p.includes('telemetry probe')), 15_000);
  const bodies = rumPayloads.map((p) => JSON.parse(p) as { meta: { session?: { id?: string } }; events?: { name: string }[]; measurements?: { type: string }[] });
  assert.ok(bodies.some((b) => b.events?.some((e) => e.name === 'page_view')), 'page views are sent');
  const sessions = new Set(bodies.map((b) => b.meta.session?.id));
  assert.is(sessions.size, 1, 'one session id across the visit');
  assert.ok([...sessions][0], 'a session id is sent');
  assert.ok(bodies.some((b) => b.measurements?.some((m) => m.type === 'web-vitals')), 'web vitals are sent');
  assert.ok(bodies.some((b) => b.events?.some((e) => e.name === 'order_confirmed')), 'journey events are sent');
  await eventually(() => rumAnswers.length >= rumPayloads.length, 10_000);
  assert.ok(rumAnswers.length > 0 && rumAnswers.every((status) => status === 202), `the gateway took every report: ${rumAnswers.join(', ')}`);
  assert.is((await fetch(`${base}/metrics`)).status, 404, 'business figures are not on the public port');
  assert.equal(pageErrors.filter((m) => m !== 'telemetry probe'), [], 'no uncaught errors in the pages');
  pageErrors.length = 0;
}));

test('a waiting fan moves on by itself when the admin raises capacity, and sees seats others hold', withFailureScreenshots(async () => {
  const base = platform!.url;
  const title = `Night Train ${randomPrefix('n').slice(-4)}`;
  const performanceId = await createPerformanceOnAdminPage(admin!.page, base, { title, venue: 'Jazz Cellar', capacity: 1, admitPerMinute: 600, rows: 3, seatsPerRow: 6, price: '30' });

  // Another fan takes the only active slot.
  const other = await signUpApiFan(base, `${randomPrefix('other')}@example.com`);
  await eventually(async () => (await other.enterQueue(performanceId)).status, 15_000);
  const otherEntry = await eventually(async () => {
    const entry = await other.myEntry(performanceId);
    return entry.status === 'ADMITTED' ? entry : undefined;
  }, 20_000);

  // The organiser sets a harder proof-of-work for this performance on the admin page, so the
  // fan page's check lasts long enough to be seen: a few seconds of hashing in the worker.
  await setQueueDifficultyOnAdminPage(admin!.page, base, title, 400_000);
  assert.is(await admin!.page.getByTestId('pow-difficulty').textContent(), '400,000');
  const summary = (await (await fetch(`${base}/api/v1/queues/${performanceId}`)).json()) as { proofOfWorkMaxNumber: number };
  assert.is(summary.proofOfWorkMaxNumber, 400_000, 'the waiting room took it');

  // Our fan, on a phone, checks the browser (progress shown), then waits first in line.
  const fan = await browser({ width: 390, height: 844 });
  const page = fan.page;
  let challenges = 0;
  page.on('request', (request) => { if (request.method() === 'POST' && request.url().endsWith('/challenge')) challenges += 1; });
  await page.goto(`${base}/#/signup?next=${encodeURIComponent(`#/performances/${performanceId}/queue`)}`);
  await signUp(page, { nickname: 'Bo', email: `${randomPrefix('bo')}@example.com`, password: 'correct horse battery' });
  const check = page.getByTestId('proof-of-work');
  await check.getByText(/Check: \d+%/).waitFor();
  await screenshot(page, 'waiting-room-check');
  const live = page.locator('[aria-live="polite"].live-sentence');
  await live.filter({ hasText: 'You are number 1 in line' }).waitFor({ timeout: 120_000 });
  assert.is(await page.getByTestId('ahead').textContent(), '0');
  await screenshot(page, 'waiting-room');

  // A reload keeps the place: the server keeps one entry per account.
  await page.reload();
  await live.filter({ hasText: 'You are number 1 in line' }).waitFor();
  assert.ok(page.url().includes('/queue'), 'still waiting after the reload');
  assert.is(challenges, 1, 'the reload found the place without solving a new proof-of-work');

  await setQueueCapacityOnAdminPage(admin!.page, base, title, 2);
  await screenshot(admin!.page, 'admin-queue');

  // Nobody touches the fan's page: it polls, sees ADMITTED and opens the seat map.
  await page.waitForURL(/\/seats$/, { timeout: 60_000 });
  await page.getByRole('heading', { name: 'Seat map' }).waitFor();

  // The other fan holds a seat; the open map shows it held without a reload.
  const scheduleId = (await other.performance(performanceId)).schedules[0]!.id;
  const seat = (await other.seats(scheduleId)).find((s) => s.status === 'AVAILABLE')!;
  await other.holdSeats(scheduleId, [seat.id], otherEntry.queueToken!);
  await eventually(async () => (await page.locator(`[data-seat-id="${seat.id}"]`).getAttribute('aria-label'))?.endsWith('held by another fan'), 45_000);
  await screenshot(page, 'seat-map-phone');
  assert.equal(pageErrors, [], 'no uncaught errors in the pages');
}));

test('the organiser watches the sale and the door as live charts: fans waiting, seats sold, tickets issued and entries per gate', withFailureScreenshots(async () => {
  const base = platform!.url;
  const title = `Chart Night ${randomPrefix('c').slice(-4)}`;
  const performanceId = await createPerformanceOnAdminPage(admin!.page, base, { title, venue: 'Town Hall', capacity: 1, admitPerMinute: 600, rows: 2, seatsPerRow: 5, price: '20' });

  // One fan buys two seats (capacity 1: she holds the only slot).
  const buyer = await signUpApiFan(base, `${randomPrefix('buyer')}@example.com`);
  await eventually(async () => (await buyer.enterQueue(performanceId)).status, 15_000);
  const admitted = await eventually(async () => { const e = await buyer.myEntry(performanceId); return e.status === 'ADMITTED' ? e : undefined; }, 20_000);
  const scheduleId = (await buyer.performance(performanceId)).schedules[0]!.id;
  const seats = (await buyer.seats(scheduleId)).filter((s) => s.status === 'AVAILABLE').slice(0, 2).map((s) => s.id);
  const order = await eventually(() => buyer.holdSeats(scheduleId, seats, admitted.queueToken!).catch(() => undefined), 20_000);
  await buyer.pay(order.id);
  // Two more fans line up: her freed slot admits the first, the second keeps waiting.
  for (const name of ['next', 'waiter']) await (await signUpApiFan(base, `${randomPrefix(name)}@example.com`)).enterQueue(performanceId);
  const tickets = await eventually(async () => { const t = (await buyer.tickets()).filter((x) => x.orderId === order.id); return t.length === 2 ? t : undefined; }, 60_000);

  // One of them enters at gate North (an administrator may scan too).
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: platform!.adminEmail, password: platform!.adminPassword }) });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const scanned = await fetch(`${base}/api/v1/check-in/performances/${performanceId}/scans`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ gate: 'North', scans: [{ scanId: crypto.randomUUID(), scheduleId, code: tickets[0]!.code!.code, scannedAt: new Date().toISOString() }] }),
  });
  assert.is(scanned.status, 200);

  const page = admin!.page;
  const pageOpenedAt = Date.now();
  await page.goto(`${base}/#/admin`);
  await page.getByLabel('Performance', { exact: true }).selectOption({ label: title });
  // The sale happened before the page opened: its history (booking's seats sold, the queue's
  // samples) is charted, not only what the page samples from now on.
  const since = await page.getByTestId('sale-since').locator('time').getAttribute('datetime', { timeout: 60_000 });
  assert.ok(Date.parse(since!) < pageOpenedAt, `the sale chart starts before the page opened (${since})`);
  const figures = page.getByTestId('sale-figures');
  const figure = (name: string) => figures.locator('div').filter({ has: page.getByText(name, { exact: true }) }).locator('dd');
  await eventually(async () =>
    (await figure('Seats sold').textContent()) === '2' && (await figure('Tickets issued').textContent()) === '2' &&
    (await figure('Checked in').textContent()) === '1' && (await figure('Gate North').textContent()) === '1' &&
    (await figure('Waiting').textContent()) === '1', 60_000);
  // Each chart is drawn (uPlot: a canvas and a legend naming the series).
  for (const [chart, series] of [['chart-waiting', ['Waiting fans', 'Admissions per minute', 'Seats sold']], ['chart-tickets', ['Tickets issued', 'Checked in', 'Revoked']], ['chart-gates', ['North']]] as const) {
    const host = page.getByTestId(chart);
    await host.locator('canvas').waitFor();
    assert.ok(((await host.locator('canvas').boundingBox())?.width ?? 0) > 200, `${chart} has a canvas`);
    for (const name of series) assert.ok(await host.locator('.u-legend').getByText(name, { exact: true }).isVisible(), `${chart}: ${name}`);
  }
  await screenshot(page, 'admin-sale-charts');
  assert.equal(pageErrors, [], 'no uncaught errors in the pages');
}));

test.run();
