// Boots the fans' pages: telemetry first (so start-up errors are seen), then the session, then the
// hash router that mounts one page at a time into #app.

import { render } from 'lit-html';
import { createApi } from './api/client.ts';
import { createSession } from './api/session.ts';
import { parseRoute, type Route } from './lib/routes.ts';
import { startTelemetry } from './telemetry/faro.ts';
import { layout } from './ui/layout.ts';
import { lazyPage, type PageContext, type PageFactory, type PageView } from './ui/page.ts';
import { loginPage, signupPage } from './pages/account.ts';
import { verifyPage } from './pages/verify.ts';
import { bookingsPage } from './pages/bookings.ts';
import { checkoutPage } from './pages/checkout.ts';
import { confirmationPage } from './pages/confirmation.ts';
import { notFoundPage } from './pages/not-found.ts';
import { performancePage } from './pages/performance.ts';
import { performancesPage } from './pages/performances.ts';
import { queuePage } from './pages/queue.ts';
import { seatsPage } from './pages/seats.ts';
import { ticketsPage } from './pages/tickets.ts';
import { waitlistPage } from './pages/waitlist.ts';
import './ui/styles.css';

const API_BASE = '/api/v1';
const telemetry = startTelemetry(import.meta.env.VITE_RUM_URL || `${API_BASE}/rum`, import.meta.env.VITE_RELEASE || '0.1.0');

const pages: Record<Route['name'], PageFactory> = {
  performances: performancesPage,
  performance: performancePage,
  queue: queuePage,
  seats: seatsPage,
  checkout: checkoutPage,
  confirmation: confirmationPage,
  bookings: bookingsPage,
  tickets: ticketsPage,
  waitlist: waitlistPage,
  // Only staff at a door open it: its decoder and storage load on demand.
  scanner: lazyPage(async () => (await import('./pages/scanner.ts')).scannerPage),
  login: loginPage,
  signup: signupPage,
  verify: verifyPage,
  // Only organisers open it: loaded on demand, so fans never download it.
  admin: lazyPage(async () => (await import('./pages/admin.ts')).adminPage),
  'not-found': notFoundPage,
};

// Once loaded online, the pages load offline too (src/sw.ts): a scanner reloaded mid-outage works.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('./sw.js', { type: 'module' }).catch((error: unknown) => telemetry.event('service_worker_failed', { message: String(error) }));
}

const root = document.getElementById('app')!;
root.replaceChildren(); // drop the static "Loading…" text; lit-html renders after existing children
const announcer = document.getElementById('announcer')!;
const session = createSession(API_BASE);
const api = createApi(API_BASE, session, (failure) =>
  // Ids in paths would make every failure unique; on-call groups by route shape.
  telemetry.event('api_failure', { method: failure.method, route: failure.path.replace(/[0-9a-f-]{36}/g, ':id'), status: String(failure.status), code: failure.code }),
);
let route = parseRoute(location.hash);
let page: PageView | undefined;
let renderQueued = false;

function update(): void {
  // Coalesce bursts of state changes into one render per frame.
  if (renderQueued) return;
  renderQueued = true;
  queueMicrotask(() => {
    renderQueued = false;
    if (!page) return;
    document.title = `${page.title} · TicketPing`;
    render(layout(route, session, logOut, page.render()), root);
  });
}

function navigate(hash: string, { replace = false } = {}): void {
  // Both fire `hashchange`, which mounts the page: one path for links, code and the back button.
  if (replace) location.replace(hash);
  else location.hash = hash;
}

function announce(message: string): void {
  // Clear first so the same sentence twice is still read out.
  announcer.textContent = '';
  setTimeout(() => (announcer.textContent = message), 50);
}

async function logOut(): Promise<void> {
  await session.logOut().catch((error: unknown) => telemetry.error(error, { where: 'logout' }));
  navigate('#/');
}

function mount(initial: boolean): void {
  page?.dispose?.();
  route = parseRoute(location.hash);
  const ctx: PageContext = { api, session, route, update, navigate, announce, track: (name, attrs) => telemetry.event(name, attrs) };
  page = pages[route.name](ctx);
  telemetry.pageView(route.name, location.href);
  update();
  if (!initial) {
    // Move focus to the new page's heading so keyboard and screen-reader users start there.
    queueMicrotask(() => queueMicrotask(() => (document.getElementById('page-heading') ?? document.getElementById('main'))?.focus()));
    window.scrollTo(0, 0);
  }
}

window.addEventListener('hashchange', () => mount(false));
session.onChange(update);
mount(true);
session.restore().catch((error: unknown) => telemetry.error(error, { where: 'session-restore' }));
