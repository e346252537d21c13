// What a fan or an organiser does on the pages, step by step, found the way assistive technology
// finds things (roles, labels, names): if these break, the pages lost an accessible name.

import { eventually } from '@ticketping/testing';
import type { Page } from 'playwright-core';

export interface Account { nickname: string; email: string; password: string }

export async function signUp(page: Page, account: Account): Promise<void> {
  await page.getByLabel('Nickname').fill(account.nickname);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  // a new account is told a verification mail is on its way; these fans go on without it
  await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
  await page.getByRole('link', { name: 'Later' }).click();
}

export async function logIn(page: Page, baseUrl: string, email: string, password: string, next = '#/'): Promise<void> {
  await page.goto(`${baseUrl}/#/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

export interface NewShow { title: string; venue: string; capacity: number; admitPerMinute: number; rows: number; seatsPerRow: number; price: string; dates?: number; confirmedFansOnly?: boolean }

/** Fills the admin page's form and returns the new performance's id. */
export async function createPerformanceOnAdminPage(page: Page, baseUrl: string, show: NewShow): Promise<string> {
  await page.goto(`${baseUrl}/#/admin`);
  const form = page.getByRole('form', { name: 'Create a performance' });
  await form.getByLabel('Title').fill(show.title);
  await form.getByLabel('Venue').fill(show.venue);
  await form.getByLabel('Description').fill(`${show.title}, live at ${show.venue}.`);
  for (let i = 1; i < (show.dates ?? 1); i++) await form.getByRole('button', { name: 'Add a date' }).click();
  await form.getByLabel('Rows', { exact: true }).fill(String(show.rows));
  await form.getByLabel('Seats per row').fill(String(show.seatsPerRow));
  await form.getByLabel('Grade').fill('Stalls');
  await form.getByLabel(/^Price/).fill(show.price);
  await form.getByLabel('Capacity (fans choosing seats at once)').fill(String(show.capacity));
  await form.getByLabel('Admissions per minute').fill(String(show.admitPerMinute));
  if (show.confirmedFansOnly) await form.getByLabel('Only fans with a confirmed e-mail address may join').check();
  await form.getByRole('button', { name: 'Create performance' }).click();
  const link = form.getByRole('status').getByRole('link', { name: show.title });
  await link.waitFor();
  const target = (await link.getAttribute('href')) ?? '';
  return decodeURIComponent(target.split('/').at(-1)!);
}

/** Sets a waiting room's capacity on the admin page and waits for the saved confirmation. */
export async function setQueueCapacityOnAdminPage(page: Page, baseUrl: string, title: string, capacity: number): Promise<void> {
  await saveQueueOnAdminPage(page, baseUrl, title, 'Capacity', capacity);
}

/** Sets the performance's proof-of-work difficulty (0 = off) in the waiting-room panel. */
export async function setQueueDifficultyOnAdminPage(page: Page, baseUrl: string, title: string, maxNumber: number): Promise<void> {
  await saveQueueOnAdminPage(page, baseUrl, title, 'Proof-of-work difficulty', maxNumber);
}

async function saveQueueOnAdminPage(page: Page, baseUrl: string, title: string, label: string, value: number): Promise<void> {
  await page.goto(`${baseUrl}/#/admin`);
  await page.getByLabel('Performance', { exact: true }).selectOption({ label: title });
  await eventually(async () => (await page.getByLabel(label, { exact: true }).inputValue()) !== '');
  await page.getByLabel(label, { exact: true }).fill(String(value));
  await page.getByRole('button', { name: 'Save waiting room' }).click();
  await page.getByText('Saved.').waitFor();
}

/** Chooses seats with the keyboard only: focus the map, arrow along the row, Space to pick. */
export async function chooseSeatsWithKeyboard(page: Page, count: number): Promise<void> {
  await page.getByRole('button', { name: /available$/ }).first().focus();
  for (let i = 0; i < count; i++) {
    if (i > 0) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
  }
}
