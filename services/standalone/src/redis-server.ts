import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '@ticketping/logger';
import { stopLeftover } from './leftover.ts';

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

export interface RedisChild { url: string; port: number; stop(): Promise<void> }

/** A redis-server left running by a standalone killed with -9: two servers must never share one append-only file. */
async function stopLeftoverRedis(pidFile: string, logger: Logger): Promise<void> {
  if (!existsSync(pidFile)) return;
  await stopLeftover({ pid: Number(readFileSync(pidFile, 'utf8').trim()), program: 'redis-server', label: 'redis-server', signal: 'SIGTERM', timeoutMs: 15_000, logger });
}

/**
 * redis-server as a child process on loopback, in its own process group (standalone stops it
 * after the services), with the append-only file on so a restart keeps the waiting rooms and the
 * bus's streams. `appendfsync everysec`: every write reaches the kernel before Redis answers, so
 * a crash of any process, Redis included, loses nothing; only a crash of the machine (power, kernel)
 * can lose the last second. `always` would close that too, at an fsync per write batch, which a
 * waiting room's admission writes would pay on every tick.
 */
export async function startRedisChild(dataDir: string, port: number, logger: Logger): Promise<RedisChild> {
  ensureRedisServer(logger);
  const dir = path.join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const pidFile = path.join(dir, 'redis-server.pid');
  await stopLeftoverRedis(pidFile, logger);
  if (await portOpen(port)) throw new Error(`port ${port} was taken meanwhile; start again`);
  const child: ChildProcess = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--pidfile', pidFile,
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--protected-mode', 'yes',
  ], { stdio: 'ignore', detached: true });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  // A large append-only file takes a while to load; Redis answers LOADING until then, so wait for the port.
  while (!(await portOpen(port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  logger.info({ port }, 'redis-server started');
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
