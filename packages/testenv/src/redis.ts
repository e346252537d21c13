import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { freePort, log, portOpen, startProcess, waitFor, type Server } from './process.ts';

/** redis-server on loopback, no persistence unless `appendOnly` (the chaos tests restart it). */
export async function startRedis(workDir: string, options: { appendOnly?: boolean } = {}): Promise<Server> {
  const dir = path.join(workDir, 'redis');
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--protected-mode', 'yes',
    '--appendonly', options.appendOnly ? 'yes' : 'no', '--maxclients', '2000'];
  log(`starting redis-server on 127.0.0.1:${port}`);
  const child = startProcess('redis-server', args, path.join(workDir, 'redis.log'));
  await waitFor('redis-server', () => portOpen(port), 15_000, child);
  return { name: 'redis', env: { TICKETPING_REDIS_URL: `redis://127.0.0.1:${port}` }, stop: () => child.stopGracefully() };
}
