// Poll scheduling for the waiting room, the seat map and payment status: follow the server's
// `pollAfterMs`, honour `Retry-After`, and back off with jitter on failures so a recovering
// backend is not hit by every fan at once.

export const DEFAULT_POLL_MS = 2_000;
export const MIN_POLL_MS = 500;
export const MAX_POLL_MS = 300_000; // the queue spaces far-back fans up to 5 min apart to bound total poll load
export const MAX_BACKOFF_MS = 30_000;

export interface PollDelayInput {
  /** The server's advice (`pollAfterMs`), when the last call succeeded. */
  pollAfterMs?: number | null;
  /** Failures in a row so far (0 after a success). */
  consecutiveFailures?: number;
  /** Seconds from a `Retry-After` header, when the server sent one. */
  retryAfterSeconds?: number | null;
  /** 0 ≤ r < 1; injected for tests. */
  random?: () => number;
}

export function nextPollDelay({ pollAfterMs, consecutiveFailures = 0, retryAfterSeconds, random = Math.random }: PollDelayInput): number {
  if (retryAfterSeconds !== null && retryAfterSeconds !== undefined && retryAfterSeconds >= 0) {
    return clamp(retryAfterSeconds * 1000, MIN_POLL_MS, MAX_POLL_MS);
  }
  const base = clamp(pollAfterMs ?? DEFAULT_POLL_MS, MIN_POLL_MS, MAX_POLL_MS);
  if (consecutiveFailures <= 0) return base;
  // "Equal jitter": at least half the exponential step, so retries spread out but never hammer.
  const step = Math.min(MAX_BACKOFF_MS, base * 2 ** consecutiveFailures);
  return Math.round(step / 2 + random() * (step / 2));
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

export interface Timers {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface Poller {
  /** Runs the task now instead of waiting for the timer (e.g. the tab became visible). */
  pollNow(): void;
  stop(): void;
}

/**
 * Runs `task` now and again after the delay it returns, until it returns `undefined` or `stop()`.
 * One run at a time: a slow response never overlaps the next poll. The task handles its own errors.
 */
export function startPolling(task: () => Promise<number | undefined>, timers: Timers = realTimers): Poller {
  let stopped = false;
  let running = false;
  let handle: unknown;
  const run = async () => {
    if (stopped || running) return;
    running = true;
    timers.clearTimeout(handle);
    let delay: number | undefined;
    try {
      delay = await task();
    } finally {
      running = false;
    }
    if (!stopped && delay !== undefined) handle = timers.setTimeout(() => void run(), delay);
  };
  void run();
  return {
    pollNow: () => void run(),
    stop: () => {
      stopped = true;
      timers.clearTimeout(handle);
    },
  };
}
