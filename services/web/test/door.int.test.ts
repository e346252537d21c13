// My tickets and the door scanner in headless Chromium, with a fake camera fed a video of a QR code,
// against the real gateway (serving the built pages and routing the API), auth and tickets (real
// Postgres and Redis; order and catalog events published on an in-memory bus as booking and
// catalog publish them). Standalone does not run the tickets service yet, hence this platform.

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '@ticketping/gateway/config';
import { createService as createGateway } from '@ticketping/gateway/service';
import { listen, type RunningServer } from '@ticketping/http';
import { createMetrics } from '@ticketping/metrics';
import { createRedis } from '@ticketping/redis';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import type { Page } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
// The tickets service's own test harness: auth and tickets on a test database each.
import { INTERNAL_TOKEN, quietLogger, startTickets, type Harness, type Show } from '../../tickets/test/harness.ts';
import { TOPICS } from '@ticketping/contracts/topics';
import { fromBase64Url, rotateCode } from '@ticketping/tickets/codes';
import { browserSession, screenshot } from './browser.ts';
import { buildPagesIfStale } from './build.ts';
import { fakeCameraArgs, writeQrVideo } from './fake-camera.ts';
import { logIn } from './pages.ts';

const PASSWORD = 'fan-password-1';
let h: Harness;
let gateway: RunningServer;
let stopGateway: () => Promise<void>;
let base: string;
let tmp: string;
const redis = createRedis({ url: testEnv.redisUrl });
const keyPrefix = randomPrefix('web-door');
const session = browserSession('door');
const { pageErrors, withFailureScreenshots } = session;

test.before(async () => {
  const webDist = await buildPagesIfStale();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'ticketping-door-'));
  h = await startTickets();
  const down = 'http://127.0.0.1:9'; // services these pages do not reach here
  const config = loadConfig({
    INTERNAL_TOKEN, REDIS_KEY_PREFIX: keyPrefix, WEB_DIST: webDist,
    AUTH_URL: h.auth.base, TICKETS_URL: h.base, CATALOG_URL: down, QUEUE_URL: down, BOOKING_URL: down, PAYMENT_URL: down, QUEUE_JWKS: '{"keys":[]}',
  });
  const service = createGateway({ config, logger: quietLogger('gateway-test'), metrics: createMetrics('gateway', { defaultMetrics: false }), redis });
  await service.start();
  gateway = await listen(service.app, 0);
  stopGateway = () => service.stop();
  base = `http://127.0.0.1:${gateway.port}`;
});

test.after(async () => {
  await session.closeAll();
  await gateway?.close();
  await stopGateway?.();
  const keys = await redis.keys(`${keyPrefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await h?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const browser = (extraArgs: string[] = []) => session.open({ extraArgs });

/** A fan with confirmed tickets for `count` seats; returns the tickets as the API gives them. */
async function fanWithTickets(show: Show, seatIds: string[]) {
  const fan = await h.auth.signUp();
  const confirmed = await h.confirmOrder(fan.id, show, seatIds);
  const orderId = (confirmed.payload as { orderId: string }).orderId;
  const tickets = await h.ticketsOf(fan.id, orderId, seatIds.length);
  return { fan, orderId, tickets: tickets.map((t) => ({ id: t.id, code: t.code!.code })) };
}

/** A staff member of the performance (granted by an admin), logged in on the scanner page of a gate. */
async function openGate(show: Show, gate: string, cameraFile?: string, options: { revocationsLateMs?: number } = {}): Promise<Page> {
  const staff = await h.auth.signUp();
  const grant = await h.call('POST', `/api/v1/check-in/performances/${show.performanceId}/staff`, { userId: randomUUID(), role: 'ADMIN', body: { email: staff.email } });
  assert.is(grant.status, 201);
  const { page } = await browser(cameraFile ? fakeCameraArgs(cameraFile) : []);
  const lateMs = options.revocationsLateMs;
  if (lateMs) await page.route('**/revocations?*', async (route) => { await sleep(lateMs); await route.continue(); });
  await logIn(page, base, staff.email, PASSWORD, `#/scanner?performance=${show.performanceId}&schedule=${show.scheduleId}&gate=${encodeURIComponent(gate)}`);
  await page.getByRole('heading', { name: 'Door scanner' }).waitFor();
  await page.getByTestId('verdict').waitFor();
  return page;
}

const verdict = (page: Page) => page.getByTestId('verdict');
async function typeCode(page: Page, code: string): Promise<void> {
  await page.getByLabel('Code (typed or from a handheld reader)').fill(code);
  await page.getByRole('button', { name: 'Check code' }).click();
}
async function expectOutcome(page: Page, outcome: string, timeout = 15_000): Promise<void> {
  await page.locator(`[data-testid="verdict"][data-outcome="${outcome}"]`).waitFor({ timeout });
}

test('a fan sees each ticket with its seat, date, status and QR code', withFailureScreenshots(async () => {
  const show = await h.publishShow(2);
  const { fan, tickets } = await fanWithTickets(show, show.seatIds);
  const { page } = await browser();
  await logIn(page, base, fan.email, PASSWORD, '#/tickets');
  await page.getByRole('heading', { name: 'My tickets' }).waitFor();
  const cards = page.getByRole('list', { name: 'Tickets' }).getByRole('listitem');
  await eventually(async () => (await cards.count()) === 2, 15_000);
  await page.getByText('Section A, row 3, seat 1').first().waitFor();
  assert.is(await page.getByText('Valid', { exact: true }).count(), 2);
  const qr = page.getByRole('img', { name: 'QR code of the ticket for Section A, row 3, seat 1' });
  await qr.waitFor();
  const shown = await page.locator('img[data-code]').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('data-code')));
  assert.equal(shown.sort(), tickets.map((t) => t.code).sort(), 'the QR codes are the tickets’ codes');
  assert.ok(await page.getByRole('button', { name: 'Add to calendar (.ics)' }).first().isVisible());
  await screenshot(page, 'my-tickets');
}));

test('a fan transfers a ticket from the page: the old code is refused at the door, the receiver’s new one admitted', withFailureScreenshots(async () => {
  const show = await h.publishShow(1);
  const { fan, tickets: [ticket] } = await fanWithTickets(show, show.seatIds);
  const friend = await h.auth.signUp();
  const { page } = await browser();
  await logIn(page, base, fan.email, PASSWORD, '#/tickets');
  await page.getByRole('button', { name: 'Transfer Section A, row 3, seat 1' }).click();
  await page.getByLabel('E-mail of the receiver’s account').fill(friend.email);
  await page.getByRole('button', { name: 'Send ticket' }).click();
  await page.getByRole('list', { name: 'Tickets' }).getByText(`Sent to ${friend.email}.`).waitFor();
  assert.is(await page.locator('img[data-code]').count(), 0, 'the old code is no longer shown');
  await screenshot(page, 'my-tickets-transferred');

  const [received] = await eventually(async () => {
    const res = await h.call('GET', '/api/v1/tickets', { userId: friend.id });
    const items = res.body.items as Array<{ id: string; code: { code: string } | null }>;
    return items.length ? items : undefined;
  }, 15_000);
  assert.is(received!.id, ticket!.id);
  // The revocations answer late, as on a slow network: the gate must not take a scan before them.
  const gate = await openGate(show, 'East', undefined, { revocationsLateMs: 1000 });
  await typeCode(gate, ticket!.code);
  await expectOutcome(gate, 'REVOKED');
  await typeCode(gate, received!.code!.code);
  await expectOutcome(gate, 'ADMIT');
}));

test('rotating mode: the fan’s page shows a live code the gate admits; a code older than the window is refused', withFailureScreenshots(async () => {
  const show = await h.publishShow(1);
  const mode = await h.call('PATCH', `/api/v1/check-in/performances/${show.performanceId}`, { userId: randomUUID(), role: 'ADMIN', body: { codeMode: 'ROTATING' } });
  assert.is(mode.status, 200);
  const fan = await h.auth.signUp();
  const confirmed = await h.confirmOrder(fan.id, show, show.seatIds);
  const [ticket] = await h.ticketsOf(fan.id, (confirmed.payload as { orderId: string }).orderId, 1);
  const code = ticket!.code as unknown as { mode: string; base: string; key: string };
  assert.is(code.mode, 'ROTATING');

  const { page } = await browser();
  await logIn(page, base, fan.email, PASSWORD, '#/tickets');
  await page.getByText(/Live code: changes in \d+ s/).waitFor();
  const live = await page.locator('img[data-code]').getAttribute('data-code');
  assert.ok(live?.startsWith('TP1.'));
  await screenshot(page, 'my-tickets-rotating');

  const gate = await openGate(show, 'West');
  // A screenshot taken two minutes ago: made the way the page makes codes, at that moment.
  const old = await rotateCode(code.base, fromBase64Url(code.key), Date.now() - 120_000);
  await typeCode(gate, old);
  await expectOutcome(gate, 'EXPIRED');
  await typeCode(gate, live!);
  await expectOutcome(gate, 'ADMIT');
}));

test('the scanner admits a ticket seen by the camera, refuses it the second time, and refuses a revoked and a forged one', withFailureScreenshots(async () => {
  const show = await h.publishShow(4);
  const { tickets: [valid] } = await fanWithTickets(show, [show.seatIds[0]!]);
  const refunded = await fanWithTickets(show, [show.seatIds[1]!]);
  const video = path.join(tmp, 'north.y4m');
  await writeQrVideo(video, valid!.code);
  const page = await openGate(show, 'North', video);

  await page.getByRole('button', { name: 'Start camera' }).click();
  await expectOutcome(page, 'ADMIT', 30_000);
  assert.match(await verdict(page).textContent() ?? '', /Valid: admit/);
  await screenshot(page, 'scanner-admit');
  // The ticket stays in front of the camera: read again a few seconds later, it is refused.
  await expectOutcome(page, 'ALREADY_USED', 30_000);
  assert.match(await verdict(page).textContent() ?? '', /Already used.*gate North/s);
  await page.getByRole('button', { name: 'Stop camera' }).click();
  await eventually(async () => (await page.getByTestId('queued').textContent()) === '0', 15_000);

  // Refunded: the revocation reaches the gate within one sync.
  await h.bus.publish(TOPICS.bookingOrders, [h.orderEvent('order.refunded', refunded.orderId, randomUUID(), show, [show.seatIds[1]!])]);
  await eventually(async () => (await h.call('GET', `/api/v1/check-in/performances/${show.performanceId}/revocations`, { userId: randomUUID(), role: 'ADMIN' })).body.items, 15_000);
  await page.getByRole('button', { name: 'Sync now' }).click();
  await eventually(async () => {
    await typeCode(page, refunded.tickets[0]!.code);
    return (await verdict(page).getAttribute('data-outcome')) === 'REVOKED';
  }, 15_000);

  // Forged: one character of the signature changed.
  const forged = valid!.code.slice(0, -6) + (valid!.code.at(-6) === 'A' ? 'B' : 'A') + valid!.code.slice(-5);
  await typeCode(page, forged);
  await expectOutcome(page, 'FORGED');
  await screenshot(page, 'scanner-forged');
}));

test('gates keep admitting with the network cut, sync when it is back, and flag a double entry made at two offline gates', withFailureScreenshots(async () => {
  const show = await h.publishShow(3);
  const { tickets: [a, b] } = await fanWithTickets(show, show.seatIds.slice(0, 2));
  const north = await openGate(show, 'North');
  const south = await openGate(show, 'South');
  for (const page of [north, south]) await page.context().setOffline(true);
  await north.getByTestId('network').filter({ hasText: 'Offline' }).waitFor();

  await typeCode(north, a!.code);
  await expectOutcome(north, 'ADMIT');
  await typeCode(north, b!.code);
  await expectOutcome(north, 'ADMIT');
  await typeCode(north, a!.code);
  await expectOutcome(north, 'ALREADY_USED');
  // The same ticket at the other gate, offline too: neither can know, both admit.
  await typeCode(south, b!.code);
  await expectOutcome(south, 'ADMIT');
  assert.is(await north.getByTestId('queued').textContent(), '2');
  assert.is(await south.getByTestId('queued').textContent(), '1');

  await north.context().setOffline(false);
  await eventually(async () => (await north.getByTestId('queued').textContent()) === '0', 20_000);
  await south.context().setOffline(false);
  await eventually(async () => (await south.getByTestId('queued').textContent()) === '0', 20_000);
  const flagged = south.getByTestId('double-entries');
  await flagged.waitFor({ timeout: 20_000 });
  assert.match(await flagged.textContent() ?? '', /entered at gate North/);
  await screenshot(south, 'scanner-double-entry');
  const duplicates = await h.call('GET', `/api/v1/check-in/performances/${show.performanceId}/duplicates`, { userId: randomUUID(), role: 'ADMIN' });
  assert.equal((duplicates.body.items as Array<{ ticketId: string; gate: string }>).map((d) => [d.ticketId, d.gate]), [[b!.id, 'South']]);
  assert.equal(pageErrors, [], 'no uncaught errors in the pages');
}));

test('a scanner reloaded with the network cut loads from the service worker, admits with the camera, and its scans sync when the network is back', withFailureScreenshots(async () => {
  const show = await h.publishShow(1);
  const { tickets: [ticket] } = await fanWithTickets(show, show.seatIds);
  const video = path.join(tmp, 'reload.y4m');
  await writeQrVideo(video, ticket!.code);
  const page = await openGate(show, 'Gate 9', video);
  // The worker has precached the build (pages, decoder, .wasm) once it is active.
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });

  await page.context().setOffline(true);
  await page.reload();
  await page.getByRole('heading', { name: 'Door scanner' }).waitFor();
  await page.getByTestId('network').filter({ hasText: 'Offline' }).waitFor();
  assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the page came from the service worker');
  await page.getByRole('button', { name: 'Start camera' }).click();
  await expectOutcome(page, 'ADMIT', 30_000);
  await page.getByRole('button', { name: 'Stop camera' }).click();
  assert.is(await page.getByTestId('queued').textContent(), '1');
  await screenshot(page, 'scanner-offline-reload');

  await page.context().setOffline(false);
  await eventually(async () => (await page.getByTestId('queued').textContent()) === '0', 20_000);
  const checkIns = await h.call('GET', `/api/v1/check-in/performances/${show.performanceId}/check-ins?since=0`, { userId: randomUUID(), role: 'ADMIN' });
  assert.equal((checkIns.body.items as Array<{ ticketId: string; gate: string }>).map((c) => [c.ticketId, c.gate]), [[ticket!.id, 'Gate 9']]);
}));

test.run();
