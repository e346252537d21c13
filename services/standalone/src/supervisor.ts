import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@ticketping/logger';
import type { ServiceName } from './config.ts';

export interface SupervisedService {
  name: ServiceName;
  port: number;
  url: string;
  /** Where its /readyz and /metrics answer (never routed to fans). */
  managementUrl: string;
  /** SIGTERM (the service drains and closes its clients), SIGKILL if it has not exited 15 s later. */
  stop(): Promise<void>;
}

const entry = path.join(import.meta.dirname, `service-process${path.extname(import.meta.filename)}`);
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
/** Restart delays double from the first to the last, as Kubernetes' crash-loop back-off does. */
const FIRST_RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 10_000;
/** A process that stayed up this long before it crashed is restarted at the first delay again. */
const STABLE_AFTER_MS = 30_000;

function exitedWith(child: ChildProcess): string {
  return child.signalCode ? `signal ${child.signalCode}` : `code ${child.exitCode}`;
}

/** Resolves once `/readyz` answers 200; rejects if the process exits first or the deadline passes. */
async function waitReady(name: string, managementPort: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${exitedWith(child)}) before it was ready`);
    const status = await fetch(`http://127.0.0.1:${managementPort}/readyz`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status, () => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${name} was not ready within ${READY_TIMEOUT_MS / 1000} s (last /readyz: ${status || 'no answer'})`);
    await sleep(50);
  }
}

/**
 * Runs one service in its own Node process (both cores for the platform, one event loop per
 * service, as one pod per service in Kubernetes), in its own process group so a Ctrl-C in the
 * terminal reaches only standalone, which then stops the services in order. Resolves once the
 * service answers `/readyz`. A process that exits unasked is restarted on the same port, after a
 * delay that grows while it keeps crashing.
 */
export async function superviseService(name: ServiceName, env: Record<string, string>, logger: Logger): Promise<SupervisedService> {
  const log = logger.child({ supervised: name });
  let port = Number(env.PORT ?? 0);
  // /readyz and /metrics answer on the management port, as in Kubernetes; kept across restarts too
  let managementPort = Number(env.MANAGEMENT_PORT ?? 0);
  let child: ChildProcess;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let delay = FIRST_RESTART_DELAY_MS;

  async function launch(): Promise<void> {
    const started = Date.now();
    const current = spawn(process.execPath, ['--conditions=source', entry, name], {
      env: { ...env, PORT: String(port), MANAGEMENT_PORT: String(managementPort) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
    });
    child = current;
    const listening = new Promise<{ port: number; managementPort: number }>((resolve, reject) => {
      current.on('message', (message: { listening?: number; management?: number }) => {
        if (typeof message.listening === 'number' && typeof message.management === 'number') resolve({ port: message.listening, managementPort: message.management });
      });
      current.once('exit', () => reject(new Error(`${name} exited (${exitedWith(current)}) while starting`)));
    });
    current.once('exit', () => {
      if (stopping) return;
      delay = Date.now() - started > STABLE_AFTER_MS ? FIRST_RESTART_DELAY_MS : delay;
      log.error({ exit: exitedWith(current), restartInMs: delay }, 'service process exited; restarting it');
      restartTimer = setTimeout(() => {
        restartTimer = undefined;
        launch().then(
          () => log.warn({ port }, 'service process restarted and ready'),
          (error: unknown) => log.error({ err: error }, 'service process restart failed'),
        );
      }, delay);
      delay = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
    });
    ({ port, managementPort } = await listening);
    await waitReady(name, managementPort, current);
  }

  const stop = async (): Promise<void> => {
    stopping = true;
    clearTimeout(restartTimer);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      log.warn('service process still running 15 s after SIGTERM; killing it');
      child.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  try {
    await launch();
  } catch (error) {
    await stop();
    throw error;
  }
  log.info({ port, pid: child!.pid }, 'service ready');
  return { name, get port() { return port; }, get url() { return `http://127.0.0.1:${port}`; }, get managementUrl() { return `http://127.0.0.1:${managementPort}`; }, stop };
}
