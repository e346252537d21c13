/**
 * Deadlines for many concurrent calls from one abort signal per time slice, instead of one
 * `AbortSignal.timeout` per call: that is a timer per proxied request, and each fires (building
 * a DOMException and an abort event) long after its call has finished. A call takes the signal
 * of the slice it starts in, which aborts three half-periods after that slice began: every call
 * gets between `ms` and 1.5 × `ms`.
 */
export function createSharedDeadline(ms: number) {
  let current = new AbortController();
  let previous = new AbortController();
  let beforePrevious = new AbortController();
  const ticker = setInterval(() => {
    beforePrevious.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError'));
    beforePrevious = previous;
    previous = current;
    current = new AbortController();
  }, Math.max(1, ms / 2));
  ticker.unref();
  return {
    /** The signal a call starting now should pass on. */
    signal: (): AbortSignal => current.signal,
    close(): void {
      clearInterval(ticker);
    },
  };
}
