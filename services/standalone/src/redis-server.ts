import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '@ticketping/logger';

const installScript = path.resolve(import.meta.dirname, '../../../packages/testenv/bin/install-system-packages.sh');

function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Installs redis-server with apt-get when missing and running as root; otherwise says how. */
export function ensureRedisServer(logger: Logger): void {
  if (hasRedisServer()) return;
  if (process.getuid?.() !== 0) {
    throw new Error('redis-server is not installed. Install it (Debian/Ubuntu: sudo apt-get install -y redis-server) and run npm start again.');
  }
  logger.info('installing redis-server with apt-get (first start only)');
  const result = spawnSync('bash', [installScript, 'redis'], { stdio: 'inherit' });
  if (result.status !== 0 || !hasRedisServer()) throw new Error('could not install redis-server with apt-get');
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

export interface RedisChild { url: string; stop(): Promise<void> }

/** redis-server as a child process on loopback, append-only file on so a restart keeps the queues. */
export async function startRedisChild(dataDir: string, port: number, logger: Logger): Promise<RedisChild> {
  ensureRedisServer(logger);
  const dir = path.join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  if (await portOpen(port)) throw new Error(`port ${port} is taken: set REDIS_PORT to a free port`);
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--protected-mode', 'yes'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  logger.info({ port }, 'redis-server started');
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
