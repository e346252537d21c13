import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@ticketping/logger';

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A server a previous standalone left running when it was killed with -9 (its children outlive
 * it): stopped before ours starts on the same data. Only a live process whose command line names
 * `program` is touched, so a stale pid file never stops someone else's process.
 */
export async function stopLeftover(options: { pid: number; program: string; label: string; signal: NodeJS.Signals; timeoutMs: number; logger: Logger }): Promise<void> {
  const { pid, program, label } = options;
  const cmdline = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
  if (!pid || !alive(pid) || !cmdline.includes(program)) return;
  options.logger.warn({ pid }, `stopping the ${label} a previous standalone left running`);
  process.kill(pid, options.signal);
  const deadline = Date.now() + options.timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`the ${label} left running (pid ${pid}) did not stop; stop it and start again`);
    await sleep(50);
  }
}
