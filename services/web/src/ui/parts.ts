// Small shared bits of markup: error and loading states, status badges.

import { html, nothing, type TemplateResult } from 'lit-html';
import { ApiError, problemMessage } from '../api/http.ts';
import { powProgress } from '../lib/proof-of-work.ts';
import { href } from '../lib/routes.ts';

/**
 * The bar of a proof-of-work being solved (numbers tried of `maxnumber`), with why the browser
 * is doing it: shared by the waiting room's entry and the waitlist's join.
 */
export function proofOfWorkProgress(id: string, label: string, solving: { tried: number; maxnumber: number }, keepsScripts: string): TemplateResult {
  const percent = powProgress(solving.tried, solving.maxnumber);
  return html`<label class="progress-label" for=${id}>${label}: ${percent}%</label>
    <progress id=${id} max="100" .value=${percent}>${percent}%</progress>
    <p class="muted">This takes a few seconds on most devices and keeps automated scripts ${keepsScripts}.</p>`;
}

export function loading(label = 'Loading…'): TemplateResult {
  return html`<p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>${label}</p>`;
}

/** A failed load: sign-in prompt for 401s, otherwise the server's own words and a retry. */
export function loadError(error: unknown, retry?: () => void): TemplateResult {
  if (error instanceof ApiError && error.status === 401) {
    return html`<div class="notice" role="alert"><p>Please log in to continue.</p>
      <a class="button" href=${href({ name: 'login', next: location.hash })}>Log in</a></div>`;
  }
  return html`<div class="notice notice-error" role="alert"><p>${problemMessage(error)}</p>
    ${retry ? html`<button type="button" class="button secondary" @click=${retry}>Try again</button>` : nothing}</div>`;
}

/** An error under a form, announced at once. */
export function formError(message: string | undefined): TemplateResult | typeof nothing {
  return message ? html`<p class="form-error" role="alert">${message}</p>` : nothing;
}

const statusLabels: Record<string, string> = {
  PENDING_PAYMENT: 'Awaiting payment',
  CONFIRMED: 'Confirmed',
  CANCELLED: 'Cancelled',
  EXPIRED: 'Expired',
  REFUNDED: 'Refunded',
};

export function orderBadge(status: string): TemplateResult {
  return html`<span class="badge badge-${status.toLowerCase()}">${statusLabels[status] ?? status}</span>`;
}

/** A page heading that receives focus after navigation, so screen readers announce the new page. */
export function pageHeading(text: string, extra: TemplateResult | typeof nothing = nothing): TemplateResult {
  return html`<h1 tabindex="-1" id="page-heading">${text}${extra}</h1>`;
}
