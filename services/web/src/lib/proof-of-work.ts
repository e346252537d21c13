// What the waiting room shows while the browser solves the entry's proof-of-work, and the
// messages between the page and the worker that solves it (pow/solver.worker.ts).

/** The challenge as `POST …/challenge` answers it (the fields the solver needs). */
export interface PowChallenge { algorithm: 'SHA-256'; challenge: string; maxnumber: number; salt: string; signature: string }
export interface PowSolution { algorithm: 'SHA-256'; challenge: string; number: number; salt: string; signature: string }

export type WorkerMessage =
  | { type: 'progress'; tried: number }
  | { type: 'solved'; number: number; tried: number; ms: number }
  | { type: 'failed' };

/**
 * Progress in percent for the bar. A solver tries half of `maxnumber` on average but may need all
 * of it, so the bar fills against the whole range and jumps to 100 when found: it never promises
 * an end it cannot keep.
 */
export function powProgress(tried: number, maxnumber: number): number {
  if (maxnumber <= 0) return 100;
  return Math.max(0, Math.min(99, Math.floor((tried / (maxnumber + 1)) * 100)));
}
