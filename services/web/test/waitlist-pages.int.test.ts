// The waitlist in headless Chromium against the whole platform in standalone mode (real gateway,
// auth, catalog, queue, booking, payment and tickets; embedded Postgres, redis-server, events on
// Redis Streams): a fan joins a sold-out date's waitlist, a seat comes back when another fan cancels,
// the offer shows up on the page with its countdown, the fan claims, pays and gets the ticket; the
// organiser's admin page shows the waitlist's figures.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startStandalone, type Standalone } from '@ticketping/standalone';
import { eventually, randomPrefix } from '@ticketping/testing';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { signUpApiFan, type ApiFan } from './api.ts';
import { browserSession, screenshot, type Browser } from './browser.ts';
import { buildPagesIfStale } from './build.ts';
import { createPerformanceOnAdminPage, logIn, signUp } from './pages.ts';

let platform: Standalone | undefined;
let dataDir: string | undefined;
let admin: Browser | undefined;
const session = browserSession('waitlist');
const { pageErrors, withFailureScreenshots } = session;

const browser = () => session.open();

test.before(async () => {
  await buildPagesIfStale();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketping-web-waitlist-'));
  platform = await startStandalone({ port: 0, seedDemo: false, dataDir, logLevel: 'warn' });
  admin = await browser();
  await logIn(admin.page, platform.url, platform.adminEmail, platform.adminPassword, '#/admin');
});

test.after(async () => {
  await session.closeAll();
  await platform?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** An API fan admitted by the waiting room who holds the given seats (and pays, if asked). */
async function holdSeats(fan: ApiFan, performanceId: string, scheduleId: string, seatIds: string[], pay: boolean): Promise<string> {
  await eventually(async () => (await fan.enterQueue(performanceId)).status, 15_000);
  const admitted = await eventually(async () => { const e = await fan.myEntry(performanceId); return e.status === 'ADMITTED' ? e : undefined; }, 20_000);
  const order = await eventually(() => fan.holdSeats(scheduleId, seatIds, admitted.queueToken!).catch(() => undefined), 20_000);
  if (pay) await fan.pay(order.id);
  return order.id;
}

test('a fan joins a sold-out date\'s waitlist, is offered a seat that came back, claims it, pays and gets the ticket; the organiser sees the waitlist; the sold-out waiting room leads to it', withFailureScreenshots(async () => {
  const base = platform!.url;
  const title = `Last Chance ${randomPrefix('w').slice(-4)}`;
  const performanceId = await createPerformanceOnAdminPage(admin!.page, base, { title, venue: 'Small Hall', capacity: 5, admitPerMinute: 600, rows: 1, seatsPerRow: 2, price: '25' });

  // Two fans take both seats: one pays, one holds. The date is sold out.
  const [payer, holder] = [await signUpApiFan(base, `${randomPrefix('payer')}@example.com`), await signUpApiFan(base, `${randomPrefix('holder')}@example.com`)];
  const scheduleId = (await payer.performance(performanceId)).schedules[0]!.id;
  const seats = await eventually(async () => { const s = await payer.seats(scheduleId); return s.length === 2 ? s : undefined; }, 20_000);
  await holdSeats(payer, performanceId, scheduleId, [seats[0]!.id], true);
  const heldOrder = await holdSeats(holder, performanceId, scheduleId, [seats[1]!.id], false);

  // Our fan opens the waitlist page: not signed in, the page says why and where to go.
  const fan = await browser();
  const page = fan.page;
  await page.goto(`${base}/#/waitlist/${performanceId}`);
  await page.getByText('Log in to join the waitlist').waitFor();
  await page.getByRole('link', { name: 'Create an account' }).click();
  await signUp(page, { nickname: 'Wen', email: `${randomPrefix('wen')}@example.com`, password: 'correct horse battery' });
  await page.goto(`${base}/#/waitlist/${performanceId}`);
  await page.getByRole('heading', { name: 'Waitlist' }).waitFor();

  // Asking for more than the limit is refused on the page; one seat is fine.
  const seatsWanted = page.getByLabel('Seats wanted');
  await seatsWanted.fill('9');
  await page.getByRole('button', { name: 'Join the waitlist' }).click();
  await page.getByText('Ask for 1 to 4 seats.').waitFor();
  await seatsWanted.fill('1');
  await page.getByRole('button', { name: 'Join the waitlist' }).click();
  await page.getByText('You are number 1 of 1 on the waitlist.').waitFor({ timeout: 30_000 });
  assert.is(await page.getByTestId('waitlist-place').textContent(), '1');

  // A second fan joins behind: the page shows the line growing by itself.
  const behind = await signUpApiFan(base, `${randomPrefix('behind')}@example.com`);
  assert.is((await behind.joinWaitlist(performanceId, scheduleId, 1)).place, 2);
  await page.getByText('You are number 1 of 2 on the waitlist.').waitFor({ timeout: 30_000 });
  await screenshot(page, 'waitlist-waiting');

  // The holder cancels: the seat goes to the first fan waiting, never back on the open map.
  await holder.cancelOrder(heldOrder);
  const offerCard = page.getByTestId('waitlist-offer');
  await offerCard.getByRole('heading', { name: 'A seat is offered to you' }).waitFor({ timeout: 30_000 });
  const timer = offerCard.getByRole('timer');
  const first = await timer.textContent();
  assert.match(first ?? '', /^(10:00|9:[0-5]\d)$/, `ten minutes to claim: ${first}`);
  // The countdown runs live on the page.
  await eventually(async () => (await timer.textContent()) !== first, 10_000, 200);
  const back = seats[1]!;
  assert.ok(await offerCard.getByText(`${back.section} · Row ${back.row} · Seat ${back.number}`, { exact: false }).isVisible(), 'the seat offered');
  await screenshot(page, 'waitlist-offer');

  // Claim → the existing checkout → pay → confirmation → the ticket on My tickets.
  await offerCard.getByRole('button', { name: 'Claim seats and pay' }).click();
  await page.getByRole('heading', { name: 'Checkout' }).waitFor();
  await page.getByLabel('Card number').fill('4242424242424242');
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.waitForURL(/\/confirmation$/, { timeout: 30_000 });
  await page.getByRole('heading', { name: 'You are going!' }).waitFor();
  await page.getByRole('link', { name: 'My tickets', exact: true }).click();
  // The ticket is issued from the confirmation's event: the page shows it once there, with its code.
  await page.getByRole('img', { name: `QR code of the ticket for Section ${back.section}, row ${back.row}, seat ${back.number}` }).waitFor({ timeout: 60_000 });
  assert.ok(await page.locator('.status-line').filter({ hasText: `Section ${back.section}, row ${back.row}, seat ${back.number}` }).getByText('Valid').isVisible());
  await screenshot(page, 'waitlist-ticket');

  // The waitlist page now names the claimed offer and its order.
  await page.goto(`${base}/#/waitlist/${performanceId}`);
  await page.getByText('You claimed seats from this waitlist.').waitFor();
  await page.getByRole('region', { name: 'Your offers' }).getByText('Claimed').waitFor();

  // The organiser's admin page: one fan still waiting, one offer made and claimed, no returns.
  await admin!.page.goto(`${base}/#/admin`);
  await admin!.page.getByLabel('Performance', { exact: true }).selectOption({ label: title });
  const row = admin!.page.getByRole('table', { name: 'Fans waiting, offers and returned tickets, per date' }).getByRole('row').filter({ hasText: /\d/ });
  const cells = async () => (await row.first().getByRole('cell').allTextContents()).map((t) => t.trim());
  await eventually(async () => JSON.stringify(await cells()) === JSON.stringify(['1', '1', '0', '1', '0', '0', '0', '0']), 30_000);
  await screenshot(admin!.page, 'admin-waitlist');

  // Every seat paid now: the waiting room says sold out and offers the waitlist instead.
  await page.goto(`${base}/#/performances/${performanceId}/queue?schedule=${scheduleId}`);
  await page.getByRole('alert').filter({ hasText: 'This performance is sold out.' }).waitFor({ timeout: 30_000 });
  await page.getByRole('link', { name: 'Join the waitlist' }).click();
  await page.waitForURL(new RegExp(`#/waitlist/${performanceId}`));
  await page.getByRole('heading', { name: 'Waitlist' }).waitFor();
  assert.equal(pageErrors, [], 'no uncaught errors in the pages');
}));

test('a sale for confirmed addresses only: the waitlist page tells an unconfirmed fan why, and where to confirm', withFailureScreenshots(async () => {
  const base = platform!.url;
  const performanceId = await createPerformanceOnAdminPage(admin!.page, base, {
    title: `Members Night ${randomPrefix('m').slice(-4)}`, venue: 'Club Room', capacity: 5, admitPerMinute: 600, rows: 1, seatsPerRow: 2, price: '15', confirmedFansOnly: true,
  });
  const fan = await browser();
  const page = fan.page;
  await page.goto(`${base}/#/signup?next=${encodeURIComponent(`#/waitlist/${performanceId}`)}`);
  await signUp(page, { nickname: 'Una', email: `${randomPrefix('una')}@example.com`, password: 'correct horse battery' });
  await page.goto(`${base}/#/waitlist/${performanceId}`);
  await page.getByRole('alert').filter({ hasText: 'This sale admits only confirmed e-mail addresses' }).waitFor({ timeout: 30_000 });
  assert.is(await page.getByRole('button', { name: 'Join the waitlist' }).count(), 0, 'no join form for an unconfirmed address');
  await page.getByRole('link', { name: 'Confirm my address' }).click();
  await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
  assert.equal(pageErrors, [], 'no uncaught errors in the pages');
}));

test.run();
