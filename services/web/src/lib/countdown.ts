// The hold countdown on checkout: what to show and when to speak. Pure; the page ticks it each second.

import { formatCountdown } from './format.ts';

export interface CountdownView {
  remainingMs: number;
  text: string;
  expired: boolean;
  /** Under a minute left: the page shows it in the warning style. */
  urgent: boolean;
}

export function countdownView(expiresAt: string, nowMs: number): CountdownView {
  const remainingMs = Math.max(0, Date.parse(expiresAt) - nowMs);
  return { remainingMs, text: formatCountdown(remainingMs), expired: remainingMs === 0, urgent: remainingMs > 0 && remainingMs < 60_000 };
}

/** Moments (ms left) at which a screen reader is told how long is left; a per-second live region would be noise. */
export const ANNOUNCE_AT_MS = [5 * 60_000, 2 * 60_000, 60_000, 30_000] as const;

/**
 * The threshold crossed between two ticks, if any, so each is announced once even when ticks are late
 * (a throttled background tab).
 */
export function thresholdCrossed(previousRemainingMs: number, remainingMs: number): number | undefined {
  return ANNOUNCE_AT_MS.filter((t) => previousRemainingMs > t && remainingMs <= t).at(-1);
}

export function announcementFor(thresholdMs: number): string {
  const seconds = thresholdMs / 1000;
  return seconds >= 60 ? `${seconds / 60} ${seconds === 60 ? 'minute' : 'minutes'} left to pay before your seats are released.` : `${seconds} seconds left to pay before your seats are released.`;
}
