// Admin: create a performance (with its dates, sections and queue settings), steer a live
// waiting room (capacity, admission rate, state) and its presale access codes (who used which),
// and watch the sale and the door as charts (sale-panel.ts) and each date's waitlist
// (waitlist-panel.ts). Only for ADMIN accounts; the API enforces it.

import { html, nothing } from 'lit-html';
import { live } from 'lit-html/directives/live.js';
import { ApiError, problemMessage } from '../api/http.ts';
import type { AccessCode, AccessCodeUses, PerformanceSummary, QueueState } from '../api/types.ts';
import { buildAccessCode, defaultAccessCodeDraft, type AccessCodeDraft } from '../lib/access-code-form.ts';
import { initialAdminQueue, reduceAdminQueue, type AdminQueueEvent } from '../lib/admin-queue.ts';
import { buildPerformance, dayAfter, defaultDraft, type PerformanceDraft, type SectionDraft } from '../lib/admin-form.ts';
import { formErrorsFromProblem } from '../lib/problem-fields.ts';
import { startPolling, type Poller } from '../lib/poll.ts';
import { href } from '../lib/routes.ts';
import { formatDateTime } from '../lib/format.ts';
import { formError, loading, pageHeading } from '../ui/parts.ts';
import type { PageFactory } from '../ui/page.ts';
import { salePanel } from './sale-panel.ts';
import { waitlistPanel } from './waitlist-panel.ts';

const QUEUE_STATES: QueueState[] = ['OPEN', 'PAUSED', 'CLOSED'];

export const adminPage: PageFactory = (ctx) => {
  if (!ctx.session.isSignedIn()) {
    ctx.navigate(href({ name: 'login', next: location.hash }), { replace: true });
    return { title: 'Admin', render: () => html`` };
  }
  let draft: PerformanceDraft = defaultDraft();
  let draftErrors: Record<string, string> = {};
  let creating = false;
  let createProblem: string | undefined;
  let created: { id: string; title: string } | undefined;

  let performances: PerformanceSummary[] = [];
  // The waiting-room panel's state changes only through its reducer (lib/admin-queue.ts).
  let panel = initialAdminQueue();
  const dispatch = (event: AdminQueueEvent) => {
    const result = reduceAdminQueue(panel, event);
    panel = result.state;
    return result.send;
  };
  let loadProblem: string | undefined;
  let queuePoller: Poller | undefined;
  const sale = salePanel(ctx);
  const waitlists = waitlistPanel(ctx);

  let codes: AccessCode[] = [];
  let codeDraft: AccessCodeDraft = defaultAccessCodeDraft();
  let codeErrors: Record<string, string> = {};
  let codeProblem: string | undefined;
  let codeMessage: string | undefined;
  let codeSaving = false;
  let shownUses: AccessCodeUses | undefined;

  const loadCodes = async (id: string) => {
    try {
      const items = (await ctx.api.listAccessCodes(id)).items;
      // an answer for a performance no longer chosen is dropped
      if (id === panel.selectedId) codes = items;
    } catch (error) {
      codeProblem = problemMessage(error);
    }
    ctx.update();
  };

  const createCode = async (event: SubmitEvent) => {
    event.preventDefault();
    const id = panel.selectedId;
    if (!id) return;
    const result = buildAccessCode(codeDraft);
    codeMessage = undefined;
    codeProblem = undefined;
    if ('errors' in result) {
      codeErrors = result.errors;
      ctx.update();
      return;
    }
    codeErrors = {};
    codeSaving = true;
    ctx.update();
    try {
      const created = await ctx.api.createAccessCode(id, result.body);
      codeMessage = `Code ${created.code} created.`;
      ctx.announce(codeMessage);
      codeDraft = defaultAccessCodeDraft();
      await loadCodes(id);
    } catch (error) {
      codeErrors = error instanceof ApiError ? formErrorsFromProblem(error.problem) : {};
      codeProblem = problemMessage(error);
    } finally {
      codeSaving = false;
      ctx.update();
    }
  };

  const showUses = async (code: AccessCode) => {
    try {
      shownUses = await ctx.api.accessCodeUses(code.performanceId, code.id);
    } catch (error) {
      codeProblem = problemMessage(error);
    }
    ctx.update();
  };

  const loadPerformances = async () => {
    try {
      performances = (await ctx.api.listPerformances()).items;
      if (!panel.selectedId && performances[0]) selectQueue(performances[0].id);
    } catch (error) {
      loadProblem = problemMessage(error);
    }
    ctx.update();
  };
  void loadPerformances();

  const selectQueue = (id: string) => {
    dispatch({ type: 'select', id });
    ctx.update(); // the emptied form at once, not the previous queue's settings until the next answer
    void sale.select(id);
    void waitlists.select(id);
    queuePoller?.stop();
    codes = [];
    shownUses = undefined;
    codeMessage = undefined;
    codeProblem = undefined;
    void loadCodes(id);
    queuePoller = startPolling(async () => {
      try {
        const saves = panel.saves;
        dispatch({ type: 'loaded', id, saves, queue: await ctx.api.getQueue(id) });
      } catch (error) {
        dispatch({ type: 'load-failed', id, problem: problemMessage(error) });
      }
      ctx.update();
      return 3_000;
    });
  };

  const saveQueue = async (event: SubmitEvent) => {
    event.preventDefault();
    const id = panel.selectedId;
    const change = dispatch({ type: 'save' });
    ctx.update();
    if (!id || !change) return;
    try {
      dispatch({ type: 'saved', queue: await ctx.api.updateQueue(id, change) });
      ctx.track('admin_queue_updated', { performanceId: id });
    } catch (error) {
      dispatch({ type: 'save-failed', problem: problemMessage(error) });
    } finally {
      ctx.update();
    }
  };

  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const result = buildPerformance(draft);
    created = undefined;
    createProblem = undefined;
    if ('errors' in result) {
      draftErrors = result.errors;
      ctx.update();
      queueMicrotask(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    draftErrors = {};
    creating = true;
    ctx.update();
    try {
      const performance = await ctx.api.createPerformance(result.body);
      created = { id: performance.id, title: performance.title };
      ctx.announce(`${performance.title} created.`);
      draft = defaultDraft();
      await loadPerformances();
    } catch (error) {
      draftErrors = error instanceof ApiError ? formErrorsFromProblem(error.problem) : {};
      createProblem = problemMessage(error); // the server's detail names every field, shown ones or not
    } finally {
      creating = false;
      ctx.update();
    }
  };

  // --- form bits -----------------------------------------------------------------------------
  const set = <K extends keyof PerformanceDraft>(key: K, value: PerformanceDraft[K]) => { draft = { ...draft, [key]: value }; };
  const input = (id: string, label: string, value: string, onInput: (v: string) => void, type = 'text', extra: { hint?: string; inputmode?: string } = {}) => {
    const error = draftErrors[id];
    return html`<div class="field">
      <label for=${id}>${label}</label>
      <input id=${id} type=${type} .value=${value} inputmode=${extra.inputmode ?? nothing}
        @input=${(e: Event) => onInput((e.target as HTMLInputElement).value)}
        aria-invalid=${error ? 'true' : 'false'} aria-describedby=${error ? `${id}-error` : nothing}>
      ${error ? html`<p id=${`${id}-error`} class="field-error">${error}</p>` : nothing}
    </div>`;
  };
  const setSection = (i: number, patch: Partial<SectionDraft>) => set('sections', draft.sections.map((s, j) => (j === i ? { ...s, ...patch } : s)));

  const createForm = () => html`
    <form class="panel form" @submit=${create} novalidate aria-labelledby="create-heading">
      <h2 id="create-heading">Create a performance</h2>
      ${input('title', 'Title', draft.title, (v) => set('title', v))}
      ${input('venue', 'Venue', draft.venue, (v) => set('venue', v))}
      <div class="field"><label for="description">Description</label>
        <textarea id="description" rows="3" .value=${draft.description} @input=${(e: Event) => set('description', (e.target as HTMLTextAreaElement).value)}></textarea></div>
      <div class="grid-2">
        ${input('bookingOpensAt', 'Booking opens', draft.bookingOpensAt, (v) => set('bookingOpensAt', v), 'datetime-local')}
        ${input('bookingClosesAt', 'Booking closes', draft.bookingClosesAt, (v) => set('bookingClosesAt', v), 'datetime-local')}
        ${input('maxSeatsPerOrder', 'Max seats per order', draft.maxSeatsPerOrder, (v) => set('maxSeatsPerOrder', v), 'text', { inputmode: 'numeric' })}
        ${input('currency', 'Currency', draft.currency, (v) => set('currency', v))}
      </div>
      <fieldset><legend>Dates</legend>
        ${draft.schedules.map((s, i) => html`<div class="inline-row">
          ${input(`schedule-${i}`, `Date ${i + 1}`, s, (v) => set('schedules', draft.schedules.map((x, j) => (j === i ? v : x))), 'datetime-local')}
          ${draft.schedules.length > 1 ? html`<button type="button" class="link-button" aria-label=${`Remove date ${i + 1}`}
            @click=${() => { set('schedules', draft.schedules.filter((_, j) => j !== i)); ctx.update(); }}>Remove</button>` : nothing}</div>`)}
        <button type="button" class="button secondary" @click=${() => { set('schedules', [...draft.schedules, dayAfter(draft.schedules.at(-1))]); ctx.update(); }}>Add a date</button>
      </fieldset>
      <fieldset><legend>Sections</legend>
        ${draft.sections.map((s, i) => html`<div class="section-row" role="group" aria-label=${`Section ${i + 1}`}>
          ${input(`section-${i}-name`, 'Name', s.name, (v) => setSection(i, { name: v }))}
          ${input(`section-${i}-rows`, 'Rows', s.rows, (v) => setSection(i, { rows: v }), 'text', { inputmode: 'numeric' })}
          ${input(`section-${i}-seatsPerRow`, 'Seats per row', s.seatsPerRow, (v) => setSection(i, { seatsPerRow: v }), 'text', { inputmode: 'numeric' })}
          ${input(`section-${i}-grade`, 'Grade', s.grade, (v) => setSection(i, { grade: v }))}
          ${input(`section-${i}-price`, `Price (${draft.currency || 'EUR'})`, s.price, (v) => setSection(i, { price: v }), 'text', { inputmode: 'decimal' })}
          ${draft.sections.length > 1 ? html`<button type="button" class="link-button" aria-label=${`Remove section ${i + 1}`}
            @click=${() => { set('sections', draft.sections.filter((_, j) => j !== i)); ctx.update(); }}>Remove</button>` : nothing}
        </div>`)}
        <button type="button" class="button secondary"
          @click=${() => { set('sections', [...draft.sections, { name: String.fromCharCode(65 + draft.sections.length), rows: '5', seatsPerRow: '10', grade: 'Standard', price: '45' }]); ctx.update(); }}>Add a section</button>
      </fieldset>
      <fieldset><legend>Waiting room</legend><div class="grid-2">
        ${input('capacity', 'Capacity (fans choosing seats at once)', draft.capacity, (v) => set('capacity', v), 'text', { inputmode: 'numeric' })}
        ${input('admitPerMinute', 'Admissions per minute', draft.admitPerMinute, (v) => set('admitPerMinute', v), 'text', { inputmode: 'numeric' })}
      </div>
      <div class="field checkbox"><input id="requireVerifiedEmail" type="checkbox" .checked=${draft.requireVerifiedEmail}
        @change=${(e: Event) => set('requireVerifiedEmail', (e.target as HTMLInputElement).checked)}>
        <label for="requireVerifiedEmail">Only fans with a confirmed e-mail address may join</label></div></fieldset>
      ${formError(createProblem)}
      ${Object.keys(draftErrors).length > 0 && !createProblem ? formError('Please fix the fields marked above.') : nothing}
      ${created ? html`<p class="notice notice-ok" role="status">Created <a href=${href({ name: 'performance', performanceId: created.id })}>${created.title}</a>.</p>` : nothing}
      <button class="button primary" type="submit" ?disabled=${creating}>${creating ? 'Creating…' : 'Create performance'}</button>
    </form>`;

  const queuePanel = () => {
    const { selectedId, queue, form: queueForm, saving } = panel;
    const queueProblem = panel.problem ?? loadProblem;
    return html`
    <section class="panel" aria-labelledby="queues-heading">
      <h2 id="queues-heading">Waiting rooms</h2>
      ${performances.length === 0 ? html`<p class="muted">No performances yet.</p>` : html`
        <div class="field"><label for="queue-performance">Performance</label>
          <select id="queue-performance" @change=${(e: Event) => selectQueue((e.target as HTMLSelectElement).value)}>
            ${performances.map((p) => html`<option value=${p.id} ?selected=${p.id === selectedId}>${p.title}</option>`)}
          </select></div>
        ${queue ? html`<dl class="queue-stats" aria-live="polite">
            <div><dt>Waiting</dt><dd>${queue.waiting}</dd></div><div><dt>Choosing seats</dt><dd>${queue.active} / ${queue.capacity}</dd></div>
            <div><dt>Admitted per minute</dt><dd>${queue.admitPerMinute}</dd></div><div><dt>State</dt><dd>${queue.state}</dd></div>
            <div><dt>Proof-of-work</dt><dd data-testid="pow-difficulty">${queue.proofOfWorkMaxNumber > 0 ? queue.proofOfWorkMaxNumber.toLocaleString('en') : 'off'}</dd></div></dl>`
          : selectedId && !queueProblem ? loading('Loading the waiting room…') : nothing}
        <form class="form" @submit=${saveQueue} novalidate aria-label="Waiting room settings">
          <div class="grid-3">
            <div class="field"><label for="queue-capacity">Capacity</label>
              <input id="queue-capacity" inputmode="numeric" .value=${live(queueForm.capacity)} @input=${(e: Event) => dispatch({ type: 'edit', field: 'capacity', value: (e.target as HTMLInputElement).value })}></div>
            <div class="field"><label for="queue-rate">Admissions per minute</label>
              <input id="queue-rate" inputmode="numeric" .value=${live(queueForm.admitPerMinute)} @input=${(e: Event) => dispatch({ type: 'edit', field: 'admitPerMinute', value: (e.target as HTMLInputElement).value })}></div>
            <div class="field"><label for="queue-state">State</label>
              <select id="queue-state" @change=${(e: Event) => dispatch({ type: 'edit', field: 'state', value: (e.target as HTMLSelectElement).value as QueueState })}>
                ${QUEUE_STATES.map((s) => html`<option value=${s} ?selected=${s === queueForm.state}>${s}</option>`)}</select></div>
            <div class="field"><label for="queue-pow">Proof-of-work difficulty</label>
              <input id="queue-pow" inputmode="numeric" aria-describedby="queue-pow-hint" .value=${live(queueForm.proofOfWorkMaxNumber)}
                @input=${(e: Event) => dispatch({ type: 'edit', field: 'proofOfWorkMaxNumber', value: (e.target as HTMLInputElement).value })}>
              <p id="queue-pow-hint" class="muted">The work each fan's browser does before entering (0 = off). Higher slows scripts with many accounts, and fans on slow devices too. A busy network is given more by itself.</p></div>
          </div>
          ${formError(queueProblem)}
          ${panel.message ? html`<p class="notice notice-ok" role="status">${panel.message}</p>` : nothing}
          <button class="button primary" type="submit" ?disabled=${saving || !selectedId}>${saving ? 'Saving…' : 'Save waiting room'}</button>
        </form>`}
    </section>`;
  };

  const codeInput = (id: string, label: string, value: string, onInput: (v: string) => void, type = 'text') => {
    const error = codeErrors[id];
    return html`<div class="field"><label for=${id}>${label}</label>
      <input id=${id} type=${type} .value=${value} @input=${(e: Event) => onInput((e.target as HTMLInputElement).value)}
        aria-invalid=${error ? 'true' : 'false'} aria-describedby=${error ? `${id}-error` : nothing}>
      ${error ? html`<p id=${`${id}-error`} class="field-error">${error}</p>` : nothing}</div>`;
  };

  const codesPanel = () => html`
    <section class="panel" aria-labelledby="codes-heading">
      <h2 id="codes-heading">Presale codes</h2>
      ${!panel.selectedId ? html`<p class="muted">Choose a performance above.</p>` : html`
        ${codes.length === 0 ? html`<p class="muted">No codes for this performance yet.</p>` : html`
          <table class="codes-table"><caption class="visually-hidden">Access codes of the chosen performance</caption>
            <thead><tr><th scope="col">Code</th><th scope="col">Lane</th><th scope="col">Used</th><th scope="col">Valid</th><th scope="col"><span class="visually-hidden">Uses</span></th></tr></thead>
            <tbody>${codes.map((c) => html`<tr>
              <td><code>${c.code}</code></td><td>${c.lane === 'PRESALE' ? 'Presale' : 'Priority'}</td>
              <td data-testid="code-uses">${c.uses} / ${c.maxUses}</td>
              <td>${formatDateTime(c.validFrom)} – ${formatDateTime(c.validUntil)}</td>
              <td><button type="button" class="link-button" aria-label=${`Who used ${c.code}`} @click=${() => showUses(c)}>Who used it</button></td>
            </tr>`)}</tbody></table>`}
        ${shownUses ? html`<div class="panel-inset" aria-live="polite"><h3>Used ${shownUses.items.length === 1 ? 'once' : `${shownUses.items.length} times`}: ${shownUses.code.code}</h3>
          ${shownUses.items.length === 0 ? html`<p class="muted">Nobody has used it yet.</p>` : html`<ul class="code-uses">${shownUses.items.map((u) => html`<li><code>${u.userId}</code> · ${formatDateTime(u.usedAt)}</li>`)}</ul>`}</div>` : nothing}
        <form class="form" @submit=${createCode} novalidate aria-label="New presale code">
          <div class="grid-2">
            ${codeInput('code-text', 'Code (empty: a random one)', codeDraft.code, (v) => (codeDraft = { ...codeDraft, code: v }))}
            <div class="field"><label for="code-lane">Lane</label>
              <select id="code-lane" @change=${(e: Event) => (codeDraft = { ...codeDraft, lane: (e.target as HTMLSelectElement).value as AccessCodeDraft['lane'] })}>
                <option value="PRESALE" ?selected=${codeDraft.lane === 'PRESALE'}>Presale (before the general sale)</option>
                <option value="PRIORITY" ?selected=${codeDraft.lane === 'PRIORITY'}>Priority (ahead in the same line)</option></select></div>
            ${codeInput('code-max-uses', 'Uses (1: single use)', codeDraft.maxUses, (v) => (codeDraft = { ...codeDraft, maxUses: v }))}
            ${codeInput('code-from', 'Valid from', codeDraft.validFrom, (v) => (codeDraft = { ...codeDraft, validFrom: v }), 'datetime-local')}
            ${codeInput('code-until', 'Valid until', codeDraft.validUntil, (v) => (codeDraft = { ...codeDraft, validUntil: v }), 'datetime-local')}
          </div>
          ${formError(codeProblem)}
          ${codeMessage ? html`<p class="notice notice-ok" role="status">${codeMessage}</p>` : nothing}
          <button class="button primary" type="submit" ?disabled=${codeSaving}>${codeSaving ? 'Creating…' : 'Create code'}</button>
        </form>`}
    </section>`;

  return {
    title: 'Admin',
    render: () => {
      const user = ctx.session.user;
      if (!user) return html`${pageHeading('Admin')}${loading()}`;
      if (user.role !== 'ADMIN') return html`${pageHeading('Admin')}<p class="notice" role="alert">This page is for organisers. Your account is not an admin account.</p>`;
      return html`${pageHeading('Admin')}<div class="admin-layout">${queuePanel()}${codesPanel()}${sale.render()}${waitlists.render()}${createForm()}</div>`;
    },
    dispose: () => {
      queuePoller?.stop();
      sale.dispose();
      waitlists.dispose();
    },
  };
};
