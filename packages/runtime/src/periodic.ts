import type { Logger } from '@ticketping/logger';

export interface Periodic {
  /** Runs the task now (or right after the run in progress) instead of at the next tick. */
  wake(): void;
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs`, one run at a time (the next starts after the previous ended).
 * A failing run is logged and retried on the next tick; `stop()` waits for the run in progress.
 */
export function runPeriodically(name: string, intervalMs: number, logger: Logger, task: () => Promise<unknown>): Periodic {
  let stopped = false;
  let busy = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    clearTimeout(timer);
    busy = true;
    again = false;
    running = task()
      .then(() => undefined, (error: unknown) => { logger.error({ err: error, task: name }, 'periodic task failed'); })
      .finally(() => {
        busy = false;
        if (!stopped) timer = setTimeout(tick, again ? 0 : intervalMs);
      });
  };
  timer = setTimeout(tick, intervalMs);
  return {
    wake() {
      if (stopped) return;
      if (busy) again = true;
      else tick();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
