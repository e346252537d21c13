/**
 * A keyed work queue in the controller-runtime mould: it carries keys (`namespace/name`), never
 * events; a key queued twice runs once; a key added while it runs gets one more run afterwards; a
 * key never runs on two workers at once. The handler returns when to look again (level-triggered
 * polling); a thrown error retries the key with per-key exponential backoff.
 */
export interface ReconcileResult {
  /** Run the key again after this long (the polling interval). Omit for "nothing more to do". */
  requeueAfterMs?: number;
}

export interface WorkQueueOptions {
  concurrency: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  onError?: (key: string, error: unknown, retryInMs: number) => void;
}

export interface WorkQueue {
  add(key: string): void;
  addAfter(key: string, delayMs: number): void;
  /** Drops a key's timers and backoff (its object is gone). */
  forget(key: string): void;
  /** Consecutive failures of a key (0 after a success). */
  failures(key: string): number;
  start(): void;
  /** Stops taking keys; resolves once the running handlers finished. */
  stop(): Promise<void>;
}

export function createWorkQueue(handler: (key: string) => Promise<ReconcileResult>, options: WorkQueueOptions): WorkQueue {
  const ready: string[] = [];
  const queued = new Set<string>();
  const processing = new Set<string>();
  const again = new Set<string>();
  const timers = new Map<string, { dueMs: number; timer: NodeJS.Timeout }>();
  const failureCounts = new Map<string, number>();
  const running = new Set<Promise<void>>();
  let started = false;

  function add(key: string): void {
    if (processing.has(key)) { again.add(key); return; }
    if (queued.has(key)) return;
    queued.add(key);
    ready.push(key);
    pump();
  }

  function addAfter(key: string, delayMs: number): void {
    const dueMs = Date.now() + delayMs;
    const existing = timers.get(key);
    if (existing && existing.dueMs <= dueMs) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => { timers.delete(key); add(key); }, Math.max(0, delayMs));
    timers.set(key, { dueMs, timer });
  }

  function forget(key: string): void {
    const existing = timers.get(key);
    if (existing) clearTimeout(existing.timer);
    timers.delete(key);
    failureCounts.delete(key);
  }

  async function work(key: string): Promise<void> {
    try {
      const result = await handler(key);
      failureCounts.delete(key);
      if (result.requeueAfterMs !== undefined && started) addAfter(key, result.requeueAfterMs);
    } catch (error) {
      const failures = (failureCounts.get(key) ?? 0) + 1;
      failureCounts.set(key, failures);
      const retryInMs = Math.min(options.baseBackoffMs * 2 ** (failures - 1), options.maxBackoffMs);
      options.onError?.(key, error, retryInMs);
      if (started) addAfter(key, retryInMs);
    } finally {
      processing.delete(key);
      if (again.delete(key) && started) add(key);
    }
  }

  function pump(): void {
    while (started && processing.size < options.concurrency && ready.length > 0) {
      const key = ready.shift() as string;
      queued.delete(key);
      processing.add(key);
      const job = work(key).finally(() => { running.delete(job); pump(); });
      running.add(job);
    }
  }

  return {
    add, addAfter, forget,
    failures: (key) => failureCounts.get(key) ?? 0,
    start() { started = true; pump(); },
    async stop() {
      started = false;
      for (const { timer } of timers.values()) clearTimeout(timer);
      timers.clear();
      ready.length = 0;
      queued.clear();
      again.clear();
      await Promise.allSettled([...running]);
    },
  };
}

/** Spreads `ms` by ±`fraction` so objects created together do not poll in lockstep (keda#7676). */
export function jitter(ms: number, fraction: number, random: () => number = Math.random): number {
  return Math.round(ms * (1 + fraction * (2 * random() - 1)));
}
