import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { log, portOpen, startProcess, waitFor, type Server } from './process.ts';
import { freePort } from '@ticketping/http/free-port';

export interface RedisOptions {
  /** Persist with an append-only file (the chaos tests kill -9 it and expect the data back). */
  appendOnly?: boolean;
  /** A fixed port, to restart on the address clients already know; default a free one. */
  port?: number;
}

/** A server that can also be killed abruptly (kill -9) and found again on `port`. */
export type KillableServer = Server & { port: number; kill(): Promise<void> };

/**
 * redis-server on loopback, no persistence unless `appendOnly`. Its files live in
 * `<workDir>/redis`, so starting again with the same workDir and port reloads what was persisted.
 */
export async function startRedis(workDir: string, options: RedisOptions = {}): Promise<KillableServer> {
  const dir = path.join(workDir, 'redis');
  await mkdir(dir, { recursive: true });
  const port = options.port ?? await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--protected-mode', 'yes',
    '--appendonly', options.appendOnly ? 'yes' : 'no', '--maxclients', '2000'];
  log(`starting redis-server on 127.0.0.1:${port}`);
  const child = startProcess('redis-server', args, path.join(workDir, 'redis.log'));
  await waitFor('redis-server', () => portOpen(port), 15_000, child);
  return {
    name: 'redis', port, env: { TICKETPING_REDIS_URL: `redis://127.0.0.1:${port}` }, stop: () => child.stopGracefully(),
    kill: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }),
  };
}
