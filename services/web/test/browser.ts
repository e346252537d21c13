// Headless Chromium from Debian, driven by playwright-core, with a fresh profile per browser.

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = process.env.TICKETPING_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

export const artifactsDir = path.resolve(import.meta.dirname, '../../../test-artifacts/web');

export interface Browser { context: BrowserContext; page: Page; close(): Promise<void> }

/** One browser with its own empty profile: its own cookies, localStorage and sessionStorage. */
export async function openBrowser(viewport = { width: 1280, height: 900 }, extraArgs: string[] = []): Promise<Browser> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'ticketping-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: [...FLAGS, ...extraArgs], viewport, locale: 'en-GB', timezoneId: 'UTC' });
  context.setDefaultTimeout(30_000); // generous: npm test runs other suites beside this one on two cores
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as test-artifacts/web/<name>.png, for people to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * The browsers one suite opens: the pages' uncaught errors collected in `pageErrors` (a suite
 * asserts it empty), every open page saved as test-artifacts/web/<suite>-failure-N.png when a test
 * fails, and all of them closed at the end.
 */
export function browserSession(suite: string) {
  const opened: Browser[] = [];
  const pageErrors: string[] = [];
  return {
    pageErrors,
    async open(options: { viewport?: { width: number; height: number }; extraArgs?: string[] } = {}): Promise<Browser> {
      const b = await openBrowser(options.viewport, options.extraArgs);
      b.page.on('pageerror', (error) => pageErrors.push(error.message));
      opened.push(b);
      return b;
    },
    /** Wraps a test's body: on a failure, a screenshot of every open page before the error goes on. */
    withFailureScreenshots(body: () => Promise<void>): () => Promise<void> {
      return async () => {
        try {
          await body();
        } catch (error) {
          for (const [i, b] of opened.entries()) await screenshot(b.page, `${suite}-failure-${i}`).catch(() => undefined);
          throw error;
        }
      };
    },
    async closeAll(): Promise<void> {
      for (const b of opened.splice(0)) await b.close().catch(() => undefined);
    },
  };
}
