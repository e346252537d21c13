// The door scanner for staff: choose performance, date and gate, then scan with the camera (or type
// a code). Every decision is made on the device (lib/door.ts over the shared verify function), so
// the gate keeps admitting with no network; the queue of scans syncs when the network is back.

import { html, nothing } from 'lit-html';
import { ref } from 'lit-html/directives/ref.js';
import { newIdempotencyKey, problemMessage } from '../api/http.ts';
import { initialScanner, OUTCOME_TEXT, scannerReducer, type ScannerEvent } from '../lib/door.ts';
import { formatDateTime } from '../lib/format.ts';
import { href } from '../lib/routes.ts';
import { pageHeading } from '../ui/parts.ts';
import type { PageFactory } from '../ui/page.ts';
import type { Camera } from '../scanner/camera.ts';
import { openDoor, type DoorEngine } from '../scanner/door-engine.ts';

const SYNC_EVERY_MS = 5000;

/** One id per browser: the server records which device admitted whom. */
function deviceId(): string {
  const known = localStorage.getItem('ticketping-scanner-device');
  if (known) return known;
  const id = newIdempotencyKey();
  localStorage.setItem('ticketping-scanner-device', id);
  return id;
}

export const scannerPage: PageFactory = (ctx) => {
  if (ctx.route.name !== 'scanner') throw new Error('route mismatch');
  if (!ctx.session.isSignedIn()) {
    ctx.navigate(href({ name: 'login', next: location.hash }), { replace: true });
    return { title: 'Door scanner', render: () => html`` };
  }
  const { performanceId, scheduleId, gate } = ctx.route;
  let state = { ...initialScanner, online: navigator.onLine };
  const dispatch = (event: ScannerEvent) => { state = scannerReducer(state, event); ctx.update(); };
  let door: DoorEngine | undefined;
  let camera: Camera | undefined;
  let video: HTMLVideoElement | undefined;
  let disposed = false;

  const sync = async () => {
    if (!door || state.syncing) return;
    dispatch({ type: 'sync-started' });
    try {
      const { doubleEntries } = await door.sync();
      dispatch({ type: 'synced', at: new Date().toISOString(), queued: await door.queuedCount(), doubleEntries });
      if (doubleEntries.length) ctx.announce(`${doubleEntries.length} double ${doubleEntries.length === 1 ? 'entry' : 'entries'} found while syncing.`);
    } catch {
      dispatch({ type: 'sync-failed', queued: await door.queuedCount() });
    }
  };

  const onScan = async (text: string) => {
    if (!door) return;
    const started = performance.now();
    const decision = await door.scan(text);
    dispatch({ type: 'scanned', decision, at: new Date().toISOString(), ms: Math.round(performance.now() - started), queued: await door.queuedCount() });
    ctx.announce(OUTCOME_TEXT[decision.outcome].headline);
    if (decision.outcome === 'ADMIT' && state.online) void sync();
  };

  if (performanceId && scheduleId && gate) {
    dispatch({ type: 'loading' });
    openDoor(ctx.api, performanceId, scheduleId, gate, deviceId()).then(async (opened) => {
      if (disposed) return opened.close();
      door = opened;
      dispatch({ type: 'ready', queued: await opened.queuedCount() });
      void sync();
    }, (error: unknown) => dispatch({ type: 'failed', message: problemMessage(error) === 'Something went wrong. Please try again.' ? (error as Error).message : problemMessage(error) }));
  }

  const online = () => { dispatch({ type: 'online', online: true }); void sync(); };
  const offline = () => dispatch({ type: 'online', online: false });
  window.addEventListener('online', online);
  window.addEventListener('offline', offline);
  const timer = setInterval(() => { if (state.online) void sync(); }, SYNC_EVERY_MS);

  const startCam = async () => {
    if (!video || camera) return;
    dispatch({ type: 'camera', camera: 'starting' });
    try {
      const { startCamera } = await import('../scanner/camera.ts');
      camera = await startCamera(video, (text) => void onScan(text));
      dispatch({ type: 'camera', camera: 'on' });
    } catch {
      dispatch({ type: 'camera', camera: 'denied' });
    }
  };
  const stopCam = () => { camera?.stop(); camera = undefined; dispatch({ type: 'camera', camera: 'off' }); };

  const chooser = () => html`<form class="panel scanner-setup" @submit=${(e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const get = (k: string) => f.get(k)?.toString().trim() || undefined;
    ctx.navigate(href({ name: 'scanner', performanceId: get('performance'), scheduleId: get('schedule'), gate: get('gate') }));
  }}>
    <label for="sc-performance">Performance id</label><input id="sc-performance" name="performance" required value=${performanceId ?? ''}>
    <label for="sc-schedule">Date (schedule id)</label><input id="sc-schedule" name="schedule" required value=${scheduleId ?? ''}>
    <label for="sc-gate">Gate</label><input id="sc-gate" name="gate" required pattern="[\\w .\\-]{1,40}" value=${gate ?? ''}>
    <button type="submit" class="button">Open the gate</button>
  </form>`;

  const verdict = () => {
    const last = state.lastScan;
    if (!last) return html`<div class="verdict verdict-idle" data-testid="verdict" role="status">Ready: hold a ticket’s QR code in front of the camera.</div>`;
    const text = OUTCOME_TEXT[last.outcome];
    return html`<div class=${`verdict verdict-${text.tone}`} data-testid="verdict" data-outcome=${last.outcome} role="status">
      <strong>${text.headline}</strong>
      ${last.firstEntry ? html`<span>Entered ${formatDateTime(last.firstEntry.scannedAt)} at gate ${last.firstEntry.gate}</span>` : nothing}
      <small>${formatDateTime(last.at)} · decided in ${last.ms} ms</small>
    </div>`;
  };

  const gatePage = () => html`
    <p class="status-line">${door?.bundle.title ?? ''} · gate <strong>${gate}</strong> ·
      <span class=${state.online ? 'badge badge-confirmed' : 'badge badge-expired'} data-testid="network">${state.online ? 'Online' : 'Offline: scans are kept'}</span>
      · <span data-testid="queued">${state.queued}</span> to sync ${state.lastSyncAt ? html`· synced ${formatDateTime(state.lastSyncAt)}` : nothing}</p>
    ${verdict()}
    <div class="scanner-camera">
      <video ${ref((el) => { video = el as HTMLVideoElement | undefined; })} aria-label="Camera" playsinline muted></video>
      ${state.camera === 'on' || state.camera === 'starting'
        ? html`<button type="button" class="button secondary" @click=${stopCam}>Stop camera</button>`
        : html`<button type="button" class="button" @click=${() => void startCam()}>Start camera</button>`}
      ${state.camera === 'denied' ? html`<p class="form-error" role="alert">The camera could not be started. Allow it for this page, or type codes below.</p>` : nothing}
    </div>
    <form class="manual-code" @submit=${(e: Event) => {
      e.preventDefault();
      const input = (e.target as HTMLFormElement).elements.namedItem('code') as HTMLInputElement;
      void onScan(input.value);
      input.value = '';
    }}>
      <label for="manual-code">Code (typed or from a handheld reader)</label>
      <input id="manual-code" name="code" autocomplete="off" spellcheck="false">
      <button type="submit" class="button secondary">Check code</button>
    </form>
    <p>Admitted <strong data-testid="admitted">${state.admitted}</strong> · refused <strong>${state.refused}</strong></p>
    ${state.doubleEntries.length ? html`<section aria-labelledby="doubles"><h2 id="doubles">Double entries</h2>
      <ul data-testid="double-entries">${state.doubleEntries.map((d) => html`<li>Ticket ${d.ticketId.slice(0, 8)}: entered at gate ${d.first.gate} (${formatDateTime(d.first.scannedAt)}) and again here (${formatDateTime(d.scannedAt)})</li>`)}</ul></section>` : nothing}
    <p><button type="button" class="button secondary" ?disabled=${state.syncing || !state.online} @click=${() => void sync()}>Sync now</button></p>`;

  return {
    title: 'Door scanner',
    render: () => html`
      ${pageHeading('Door scanner')}
      ${state.phase === 'choose' ? chooser() : nothing}
      ${state.phase === 'loading' ? html`<p class="loading" role="status">Loading keys and the revocation list…</p>` : nothing}
      ${state.phase === 'failed' ? html`<div class="notice notice-error" role="alert"><p>${state.failure}</p></div>${chooser()}` : nothing}
      ${state.phase === 'ready' ? gatePage() : nothing}`,
    dispose: () => {
      disposed = true;
      clearInterval(timer);
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      camera?.stop();
      door?.close();
    },
  };
};
