// Pure formatting of money, times and durations for the pages. Locale and time zone are parameters
// so tests are deterministic; the pages pass the browser's defaults.

/** Integer minor units → "€120.00" (the currency's own number of decimals, e.g. none for JPY). */
export function formatMoney(minor: number, currency: string, locale?: string): string {
  const formatter = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const digits = formatter.resolvedOptions().maximumFractionDigits ?? 2;
  return formatter.format(minor / 10 ** digits);
}

/** Major units typed by an admin ("12.50") → integer minor units, or undefined when not a price. */
export function parseMoney(major: string, currency: string): number | undefined {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  if (!/^\d+([.,]\d+)?$/.test(major.trim())) return undefined;
  const value = Number(major.trim().replace(',', '.'));
  return Math.round(value * 10 ** digits);
}

/** "Sat, 14 Mar 2026, 19:30" in the reader's locale. */
export function formatDateTime(iso: string, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) }).format(new Date(iso));
}

/** A waiting-room ETA in words: fans read "about 4 minutes", not "240 s". */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return 'Estimating…';
  if (seconds < 60) return 'Less than a minute';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `About ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const hourText = `${hours} ${hours === 1 ? 'hour' : 'hours'}`;
  return rest === 0 ? `About ${hourText}` : `About ${hourText} ${rest} ${rest === 1 ? 'minute' : 'minutes'}`;
}

/** Milliseconds left → "9:05" or "1:02:03"; never negative. */
export function formatCountdown(remainingMs: number): string {
  const total = Math.max(0, Math.ceil(remainingMs / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
}

/** "1 person" / "12 people": the waiting room speaks about people, not entries. */
export function formatPeople(count: number): string {
  return `${count.toLocaleString('en')} ${count === 1 ? 'person' : 'people'}`;
}

/** The short booking reference fans quote: the first block of the order id, upper-case. */
export function bookingReference(orderId: string): string {
  return orderId.split('-')[0]!.toUpperCase();
}

/** Seat label used in lists and announcements: "A · Row 3 · Seat 12". */
export function seatLabel(seat: { section: string; row: number | string; number: number }): string {
  return `${seat.section} · Row ${seat.row} · Seat ${seat.number}`;
}
