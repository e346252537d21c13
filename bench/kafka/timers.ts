/**
 * Counts the timers a process arms (setTimeout/setInterval, including every re-arm of an interval),
 * through async_hooks: a client that re-arms a 1 ms timer at rest shows as ~1,000 per second per
 * connection, whatever the speed of the machine.
 */
import { createHook } from 'node:async_hooks';

export interface TimerCount {
  /** Timers armed since start(). */
  armed: number;
  /** Of those, the ones due within 1 ms (Node turns a negative or zero delay into 1 ms). */
  dueWithin1ms: number;
}

export function countTimers(): { read(): TimerCount; stop(): TimerCount } {
  const count: TimerCount = { armed: 0, dueWithin1ms: 0 };
  const hook = createHook({
    init(_id, type, _trigger, resource) {
      if (type !== 'Timeout') return;
      count.armed++;
      // Node keeps the delay it settled on in `_idleTimeout` (an internal field, read only here)
      const delay = (resource as { _idleTimeout?: number })._idleTimeout;
      if (typeof delay === 'number' && delay <= 1) count.dueWithin1ms++;
    },
  });
  hook.enable();
  return {
    read: () => ({ ...count }),
    stop() {
      hook.disable();
      return { ...count };
    },
  };
}
