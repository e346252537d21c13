/**
 * Rejects after `ms` (the message names `what`) so a hung connection counts as a failed call
 * instead of stalling its caller; the timer is cleared either way, so it keeps no process alive.
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what = 'the call'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms); });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
