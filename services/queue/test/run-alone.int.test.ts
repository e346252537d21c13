/**
 * The README's "Running one service alone", run as written: the command starts the queue against
 * the test environment's Redis, and a bad setting ends the process with the list of problems and
 * exit code 1 rather than a stack trace.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freePort } from '@ticketping/http';
import { eventually, testEnv } from '@ticketping/testing';

const repo = path.resolve(import.meta.dirname, '../../..');

/** The shell command of the README section, without the line that starts the test environment (the suite has one). */
function readmeCommand(): string {
  const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
  const section = readme.split('## Running one service alone')[1]?.split('\n## ')[0] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, 'the README shows the command');
  return block.split('\n').filter((line) => line.trim() && !line.startsWith('npm run testenv') && !line.startsWith('set -a') && !line.startsWith('source ')).join('\n');
}

function run(command: string, env: Record<string, string>) {
  const child = spawn('bash', ['-c', command], { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

test('the README command starts the queue on its own against the test environment\'s Redis', async () => {
  const [port, managementPort] = [await freePort(), await freePort()];
  // the README's port is fixed; a test picks free ones so suites running side by side never collide
  const command = readmeCommand().replace(/PORT=\d+/, `PORT=${port}`);
  const queue = run(command, { TICKETPING_REDIS_URL: testEnv.redisUrl, MANAGEMENT_PORT: String(managementPort) });
  try {
    await eventually(async () => {
      if (queue.child.exitCode !== null) throw new Error(`exited: ${queue.output()}`);
      return (await fetch(`http://127.0.0.1:${managementPort}/readyz`)).status === 200;
    }, 60_000, 200);
    assert.is((await fetch(`http://127.0.0.1:${port}/api/v1/queues/nope`)).status, 401, 'the public port answers (a gateway call needs the internal token)');
  } finally {
    process.kill(-queue.child.pid!, 'SIGTERM');
    await queue.exited;
  }
});

test('a bad setting ends the process with every problem listed and exit code 1, not a stack trace', async () => {
  const queue = run('node_modules/.bin/node --conditions=source services/queue/src/main.ts', { INTERNAL_TOKEN: 'dev', REDIS_URL: testEnv.redisUrl, PORT: 'eighty' });
  assert.is(await queue.exited, 1, queue.output());
  assert.match(queue.output(), /invalid configuration/);
  assert.match(queue.output(), /INTERNAL_TOKEN: the shared gateway credential must be at least 16 characters/);
  assert.match(queue.output(), /PORT: /);
  assert.not.match(queue.output(), /\n\s+at /, 'no stack trace');
});

test.run();
