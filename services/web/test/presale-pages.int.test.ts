// Presale codes and honest odds in headless Chromium against the whole platform in standalone
// mode: the admin makes a code on the admin page, a fan stuck behind a full room sees the price
// range and low odds (with the waitlist link), types a wrong code and then the right one, and
// moves to the front; the admin sees who used the code.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startStandalone, type Standalone } from '@ticketping/standalone';
import { eventually, randomPrefix } from '@ticketping/testing';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { signUpApiFan } from './api.ts';
import { browserSession, screenshot } from './browser.ts';
import { buildPagesIfStale } from './build.ts';
import { createPerformanceOnAdminPage, logIn, signUp } from './pages.ts';

let platform: Standalone | undefined;
let dataDir: string | undefined;
const session = browserSession('presale');
const { pageErrors, withFailureScreenshots } = session;

const browser = () => session.open();

test.before(async () => {
  await buildPagesIfStale();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketping-web-presale-'));
  platform = await startStandalone({ port: 0, seedDemo: false, dataDir, logLevel: 'warn' });
});

test.after(async () => {
  await session.closeAll();
  await platform?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('a fan behind a full room sees prices and low odds, uses a priority code and goes first; the admin sees the use', withFailureScreenshots(async () => {
  const base = platform!.url;
  const admin = await browser();
  await logIn(admin.page, base, platform!.adminEmail, platform!.adminPassword, '#/admin');
  const title = `Cellar Sessions ${randomPrefix('c').slice(-4)}`;
  // 4 seats, up to 4 per order (the form's default), one fan choosing at a time
  const performanceId = await createPerformanceOnAdminPage(admin.page, base, { title, venue: 'The Vaults', capacity: 1, admitPerMinute: 600, rows: 1, seatsPerRow: 4, price: '30' });

  // The admin makes a single-use priority code for it.
  const code = `VIP-${randomPrefix('v').slice(-6).toUpperCase()}`;
  await admin.page.getByLabel('Performance', { exact: true }).selectOption({ label: title });
  const codeForm = admin.page.getByRole('form', { name: 'New presale code' });
  await codeForm.getByLabel('Code (empty: a random one)').fill(code);
  await codeForm.getByLabel('Lane').selectOption('PRIORITY');
  await codeForm.getByLabel('Uses (1: single use)').fill('1');
  await codeForm.getByRole('button', { name: 'Create code' }).click();
  await codeForm.getByRole('status').filter({ hasText: `Code ${code} created.` }).waitFor();
  await admin.page.getByRole('row').filter({ hasText: code }).getByTestId('code-uses').filter({ hasText: '0 / 1' }).waitFor();

  // One fan takes the only slot, two more wait in line.
  const apiFans = await Promise.all([0, 1, 2].map((i) => signUpApiFan(base, `${randomPrefix(`f${i}`)}@example.com`)));
  await eventually(async () => (await apiFans[0]!.enterQueue(performanceId)).status, 15_000);
  await eventually(async () => ((await apiFans[0]!.myEntry(performanceId)).status === 'ADMITTED' ? true : undefined), 20_000);
  for (const fan of apiFans.slice(1)) await fan.enterQueue(performanceId);

  const fan = await browser();
  const page = fan.page;
  await page.goto(`${base}/#/signup?next=${encodeURIComponent(`#/performances/${performanceId}/queue`)}`);
  await signUp(page, { nickname: 'Cy', email: `${randomPrefix('cy')}@example.com`, password: 'correct horse battery' });
  const live = page.locator('[aria-live="polite"].live-sentence');
  await live.filter({ hasText: 'You are number 3 in line' }).waitFor({ timeout: 30_000 });
  assert.is(await page.getByTestId('price-range').textContent(), 'Prices: €30.00');

  // 1 choosing + 2 ahead, 4 seats an order assumed before any order: 4 seats cannot last.
  const odds = page.getByTestId('odds');
  await odds.filter({ hasText: 'Seats are unlikely to be left by the time it is your turn.' }).waitFor({ timeout: 30_000 });
  assert.match(await odds.textContent() ?? '', /4 seats are left; 3 fans get to choose before you; no orders yet/);
  assert.is(await odds.getByRole('link', { name: 'Join the waitlist' }).getAttribute('href'), `#/waitlist/${performanceId}`);
  await screenshot(page, 'waiting-room-odds');
  // the link leads to the performance's waitlist page (seats are still on sale: it says so), and back keeps the place
  await odds.getByRole('link', { name: 'Join the waitlist' }).click();
  await page.getByRole('heading', { name: 'Waitlist', level: 1 }).waitFor();
  await page.goBack();
  await live.filter({ hasText: 'You are number 3 in line' }).waitFor({ timeout: 30_000 });

  await page.getByLabel('Presale code', { exact: true }).fill('WRONG-CODE');
  await page.getByRole('button', { name: 'Use code' }).click();
  await page.getByRole('alert').filter({ hasText: 'That code is not valid for this performance.' }).waitFor();
  assert.ok(await live.filter({ hasText: 'You are number 3 in line' }).isVisible(), 'a wrong code keeps the place');

  await page.getByLabel('Presale code', { exact: true }).fill(code.toLowerCase());
  await page.getByRole('button', { name: 'Use code' }).click();
  await page.getByText('Priority code accepted: you are in the priority lane, ahead of the general line.').waitFor();
  await live.filter({ hasText: 'You are number 1 in line' }).waitFor();
  assert.is(await page.getByLabel('Presale code', { exact: true }).count(), 0, 'no code field once in a lane');
  await screenshot(page, 'waiting-room-priority');

  // The admin sees the code used once, and by whom (one account).
  await admin.page.reload();
  await admin.page.getByLabel('Performance', { exact: true }).selectOption({ label: title });
  await admin.page.getByRole('row').filter({ hasText: code }).getByTestId('code-uses').filter({ hasText: '1 / 1' }).waitFor();
  await admin.page.getByRole('button', { name: `Who used ${code}` }).click();
  await admin.page.getByRole('heading', { name: `Used once: ${code}` }).waitFor();
  assert.is(await admin.page.locator('.code-uses li').count(), 1);
  await screenshot(admin.page, 'admin-codes');
  assert.equal(pageErrors, [], 'no uncaught errors in the pages');
}));

test.run();
