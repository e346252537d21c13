/**
 * The in-cluster Redis's command line, run by a real redis-server: the arguments the chart renders
 * are accepted and give the persistence and eviction the waiting room relies on (AOF on, never evict).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import { eventually } from '@ticketping/testing';
import { find, mustRun, render } from './chart.ts';

let scratch = '';
let server: ChildProcess | undefined;
let port = 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const cli = async (...args: string[]) => (await mustRun('redis-cli', ['-p', String(port), ...args])).trim();

test.before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'ticketping-redis-'));
  port = await freePort();
  const container = find(await render({ set: { 'redis.statefulset.maxmemory': '64mb' } }), 'StatefulSet', 'tp-ticketping-redis').spec.template.spec.containers[0];
  const [command, ...args] = container.args as string[];
  assert.equal(command, 'redis-server');
  // The pod's data volume becomes a scratch folder; this copy listens on loopback only.
  const local = args.map((arg) => (arg === '/data' ? scratch : arg));
  server = spawn('redis-server', [...local, '--port', String(port), '--bind', '127.0.0.1'], { stdio: 'ignore' });
  await eventually(async () => (await cli('ping')) === 'PONG', 10_000, 50);
});

test.after(async () => {
  // Before its folder goes: a Redis that cannot write its final snapshot refuses to stop.
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    server.kill('SIGKILL');
    await exited;
  }
  await rm(scratch, { recursive: true, force: true });
});

test('redis-server accepts the chart\'s arguments: AOF every second, noeviction, the configured maxmemory', async () => {
  assert.equal(await cli('config', 'get', 'appendonly'), 'appendonly\nyes');
  assert.equal(await cli('config', 'get', 'appendfsync'), 'appendfsync\neverysec');
  assert.equal(await cli('config', 'get', 'maxmemory-policy'), 'maxmemory-policy\nnoeviction');
  assert.equal(await cli('config', 'get', 'maxmemory'), `maxmemory\n${64 * 1024 * 1024}`);
  assert.equal(await cli('config', 'get', 'dir'), `dir\n${scratch}`);
});

test('the liveness and readiness command answers from the running server', async () => {
  const container = find(await render(), 'StatefulSet', 'tp-ticketping-redis').spec.template.spec.containers[0];
  const probe = (container.readinessProbe.exec.command as string[]).at(-1) ?? '';
  assert.equal(probe, (container.livenessProbe.exec.command as string[]).at(-1));
  await mustRun('sh', ['-c', probe.replace('redis-cli', `redis-cli -p ${port}`)]);
});

test.run();
