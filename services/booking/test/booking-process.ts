import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { eventually } from '@ticketping/testing';
import { freePort } from '@ticketping/http';

const MAIN = path.resolve(import.meta.dirname, '../src/main.ts');


export interface ServiceProcess {
  base: string;
  /** The management port: /readyz, /metrics. */
  management: string;
  child: ChildProcess;
  /** What it printed, for failure messages. */
  output(): string;
  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** Booking's `src/main.ts` as its own process (as in a pod), ready to serve. */
export function startBookingProcess(env: Record<string, string>): Promise<ServiceProcess> {
  return startServiceProcess(MAIN, env);
}

/** Runs a service's main file as its own process and waits until its `/readyz` (management port) answers 200. */
export async function startServiceProcess(main: string, env: Record<string, string>): Promise<ServiceProcess> {
  const [port, managementPort] = [await freePort(), await freePort()];
  const name = path.basename(path.dirname(path.dirname(main)));
  const child = spawn(process.execPath, ['--conditions=source', main], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port), MANAGEMENT_PORT: String(managementPort), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  const management = `http://127.0.0.1:${managementPort}`;
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
      return (await fetch(`${management}/readyz`)).status === 200;
    }, 90_000, 200);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${name} did not become ready: ${String(error)}\n${output}`);
  }
  return {
    base,
    management,
    child,
    output: () => output,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
