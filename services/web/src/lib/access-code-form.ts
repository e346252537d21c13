// The admin's "new access code" form in plain values and its translation into the API body.
// Pure, so the rules (whole uses, a window in order) are unit-tested.

import type { NewAccessCode } from '../api/types.ts';
import { toLocalInput } from './admin-form.ts';

export interface AccessCodeDraft { code: string; lane: 'PRESALE' | 'PRIORITY'; maxUses: string; validFrom: string; validUntil: string }

export function defaultAccessCodeDraft(now = new Date()): AccessCodeDraft {
  return { code: '', lane: 'PRESALE', maxUses: '1', validFrom: toLocalInput(now), validUntil: toLocalInput(new Date(now.getTime() + 24 * 3600_000)) };
}

/** Either the API body or the problems, keyed by the input's id. */
export function buildAccessCode(d: AccessCodeDraft): { body: NewAccessCode } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const code = d.code.trim();
  if (code && !/^[A-Za-z0-9-]{4,40}$/.test(code)) errors['code-text'] = 'Use 4 to 40 letters, digits or dashes, or leave it empty for a random code.';
  const maxUses = /^\d+$/.test(d.maxUses.trim()) ? Number(d.maxUses) : 0;
  if (maxUses < 1 || maxUses > 1_000_000) errors['code-max-uses'] = 'A whole number from 1 (single use) to 1,000,000.';
  const from = Date.parse(d.validFrom);
  const until = Date.parse(d.validUntil);
  if (Number.isNaN(from)) errors['code-from'] = 'Enter a date and time.';
  if (Number.isNaN(until)) errors['code-until'] = 'Enter a date and time.';
  else if (!Number.isNaN(from) && until <= from) errors['code-until'] = 'The code must stop working after it starts.';
  if (Object.keys(errors).length > 0) return { errors };
  return {
    body: { ...(code ? { code } : {}), lane: d.lane, maxUses, validFrom: new Date(from).toISOString(), validUntil: new Date(until).toISOString() },
  };
}
