// The admin's "new performance" form in plain values, and its translation into the API body.
// Pure, so the rules (dates in order, positive counts, prices in minor units) are unit-tested.

import type { NewPerformance } from '../api/types.ts';
import { parseMoney } from './format.ts';

export interface SectionDraft { name: string; rows: string; seatsPerRow: string; grade: string; price: string }

export interface PerformanceDraft {
  title: string;
  venue: string;
  description: string;
  bookingOpensAt: string; // datetime-local values, in the admin's time zone
  bookingClosesAt: string;
  maxSeatsPerOrder: string;
  currency: string;
  schedules: string[];
  sections: SectionDraft[];
  capacity: string;
  admitPerMinute: string;
  /** Only accounts with a confirmed e-mail address may enter the waiting room. */
  requireVerifiedEmail: boolean;
}

/** "2026-03-14T19:30" for a datetime-local input, in local time. */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function defaultDraft(now = new Date()): PerformanceDraft {
  const day = 24 * 3600_000;
  const show = new Date(now.getTime() + 14 * day);
  show.setHours(19, 30, 0, 0);
  return {
    title: '',
    venue: '',
    description: '',
    bookingOpensAt: toLocalInput(now),
    bookingClosesAt: toLocalInput(new Date(show.getTime() - 3600_000)),
    maxSeatsPerOrder: '4',
    currency: 'EUR',
    schedules: [toLocalInput(show)],
    sections: [{ name: 'A', rows: '5', seatsPerRow: '10', grade: 'Standard', price: '45' }],
    capacity: '100',
    admitPerMinute: '60',
    requireVerifiedEmail: false,
  };
}

const positiveInt = (value: string) => (/^\d+$/.test(value.trim()) && Number(value) > 0 ? Number(value) : undefined);

/** Either the API body or the problems, keyed by the input's id. */
export function buildPerformance(d: PerformanceDraft): { body: NewPerformance } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const iso = (value: string, key: string) => {
    const time = Date.parse(value);
    if (Number.isNaN(time)) errors[key] = 'Enter a date and time.';
    return Number.isNaN(time) ? '' : new Date(time).toISOString();
  };
  if (!d.title.trim()) errors.title = 'Enter a title.';
  if (!d.venue.trim()) errors.venue = 'Enter a venue.';
  const currency = d.currency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) errors.currency = 'Use a three-letter currency code, like EUR.';
  const opens = iso(d.bookingOpensAt, 'bookingOpensAt');
  const closes = iso(d.bookingClosesAt, 'bookingClosesAt');
  if (opens && closes && closes <= opens) errors.bookingClosesAt = 'Booking must close after it opens.';
  const maxSeatsPerOrder = positiveInt(d.maxSeatsPerOrder);
  if (!maxSeatsPerOrder) errors.maxSeatsPerOrder = 'Enter a whole number above 0.';
  if (d.schedules.length === 0) errors.schedules = 'Add at least one date.';
  const schedules = d.schedules.map((s, i) => ({ startsAt: iso(s, `schedule-${i}`) }));
  if (d.sections.length === 0) errors.sections = 'Add at least one section.';
  const sections = d.sections.map((s, i) => {
    const rows = positiveInt(s.rows);
    const seatsPerRow = positiveInt(s.seatsPerRow);
    const price = /^[A-Z]{3}$/.test(currency) ? parseMoney(s.price, currency) : undefined;
    if (!s.name.trim()) errors[`section-${i}-name`] = 'Name the section.';
    if (!rows) errors[`section-${i}-rows`] = 'Rows: a whole number above 0.';
    if (!seatsPerRow) errors[`section-${i}-seatsPerRow`] = 'Seats per row: a whole number above 0.';
    if (!s.grade.trim()) errors[`section-${i}-grade`] = 'Name the price grade.';
    if (price === undefined) errors[`section-${i}-price`] = 'Enter a price like 45 or 45.50.';
    return { name: s.name.trim(), rows: rows ?? 0, seatsPerRow: seatsPerRow ?? 0, grade: s.grade.trim(), price: price ?? 0, currency };
  });
  const capacity = positiveInt(d.capacity);
  const admitPerMinute = positiveInt(d.admitPerMinute);
  if (!capacity) errors.capacity = 'Enter a whole number above 0.';
  if (!admitPerMinute) errors.admitPerMinute = 'Enter a whole number above 0.';
  if (Object.keys(errors).length > 0) return { errors };
  return {
    body: {
      title: d.title.trim(),
      venue: d.venue.trim(),
      description: d.description.trim(),
      bookingOpensAt: opens,
      bookingClosesAt: closes,
      maxSeatsPerOrder: maxSeatsPerOrder!,
      schedules,
      sections,
      queue: { capacity: capacity!, admitPerMinute: admitPerMinute! },
      requireVerifiedEmail: d.requireVerifiedEmail,
    },
  };
}

/** The date a new schedule row starts with: a day after the last one (two shows never share a start). */
export function dayAfter(localInput: string | undefined, now = new Date()): string {
  const last = localInput ? Date.parse(localInput) : Number.NaN;
  return toLocalInput(new Date((Number.isNaN(last) ? now.getTime() : last) + 24 * 3600_000));
}
