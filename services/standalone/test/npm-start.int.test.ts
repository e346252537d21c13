import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freePort } from '@ticketping/http';

const main = path.resolve(import.meta.dirname, '../src/main.ts');


interface Started { output: () => string; exited: Promise<number | null>; child: ReturnType<typeof spawn>; readyMs: number }

/** Runs `npm start`'s program and waits until the gateway answers. */
async function start(port: number, dataDir: string, deadlineMs: number): Promise<Started> {
  const began = Date.now();
  const child = spawn(process.execPath, ['--conditions=source', main], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let healthy = false;
  while (!healthy && Date.now() - began < deadlineMs && child.exitCode === null) {
    healthy = output.includes('Admin login') && (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false));
    if (!healthy) await new Promise((r) => setTimeout(r, 100));
  }
  if (!healthy) child.kill('SIGKILL');
  assert.ok(healthy, `not ready within ${deadlineMs / 1000} s:\n${output.slice(-3000)}`);
  return { output: () => output, exited, child, readyMs: Date.now() - began };
}

async function stopWithCtrlC(run: Started): Promise<void> {
  run.child.kill('SIGINT');
  const code = await Promise.race([run.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
  assert.is(code, 0, `exit code after SIGINT:\n${run.output().slice(-3000)}`);
}

const portClosed = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(false); });
    s.once('error', () => resolve(true));
  });

/** A free port whose next port we hold, as another program on the machine might. */
async function portWithBusyNeighbour(): Promise<{ port: number; release(): Promise<void> }> {
  for (;;) {
    const port = await freePort();
    const neighbour = net.createServer();
    const held = await new Promise<boolean>((resolve) => {
      neighbour.once('error', () => resolve(false));
      neighbour.listen(port + 1, '127.0.0.1', () => resolve(true));
    });
    if (held) return { port, release: () => new Promise((resolve) => neighbour.close(() => resolve())) };
  }
}

test('npm start: first start seeds the demo; a warm start answers within 20 s; Ctrl-C stops everything', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'standalone-'));
  // Only the gateway's port is ours to ask for: a busy PORT+1 must not stop the platform.
  const { port, release } = await portWithBusyNeighbour();
  try {
    // First start on an empty data folder: creates the databases, keys, admin and demo performance.
    const first = await start(port, dataDir, 90_000);
    assert.match(first.output(), new RegExp(`Open\\s+http://localhost:${port}`));
    const login = /Admin login\s+(\S+@\S+) \/ (\S+)/.exec(first.output());
    assert.ok(login, 'the admin login is printed');
    const mailUrl = /Mail\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(first.output())?.[1];
    assert.ok(mailUrl, 'the local mailbox is printed');
    const mailbox = await fetch(mailUrl);
    assert.is(mailbox.status, 200);
    assert.match(mailbox.headers.get('content-type') ?? '', /text\/html/);
    await stopWithCtrlC(first);

    // Warm start: data and caches exist.
    const warm = await start(port, dataDir, 20_000);
    const base = `http://127.0.0.1:${port}`;
    const page = await fetch(`${base}/`);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const performances = (await (await fetch(`${base}/api/v1/performances`)).json()) as { items: Array<{ title: string; status: string }> };
    assert.is(performances.items.length, 1, 'the demo performance is seeded once, not on every start');
    assert.is(performances.items[0]?.status, 'ON_SALE');
    const again = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: login[1], password: login[2] }) });
    assert.is(again.status, 200, 'the admin login printed at the first start still works');
    const redisPort = Number(/"port":(\d+),"msg":"redis-server started"/.exec(warm.output())?.[1] ?? 0);
    assert.ok(redisPort > 0, 'redis-server child started');

    await stopWithCtrlC(warm);
    assert.ok(await portClosed(port), 'the gateway stopped listening');
    assert.ok(await portClosed(redisPort), 'the redis-server child was stopped');
  } finally {
    await release();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test.run();
