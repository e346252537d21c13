import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const main = path.resolve(import.meta.dirname, '../src/main.ts');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

test('the standalone platform answers within 20 s and stops cleanly on Ctrl-C (SIGINT)', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'standalone-'));
  const port = await freePort();
  const started = Date.now();
  const child = spawn(process.execPath, ['--conditions=source', main], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, SEED_DEMO: 'false', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    let healthy = false;
    while (!healthy && Date.now() - started < 20_000 && child.exitCode === null) {
      healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (!healthy) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(healthy, `not healthy within 20 s:\n${output}`);
    assert.match(output, new RegExp(`http://localhost:${port}`));
    assert.match(output, /Admin login\s+\S+@\S+ \/ \S+/);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const redisPort = Number(/redis-server started.*?"port":(\d+)/.exec(output)?.[1] ?? 0);

    child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
    assert.is(code, 0, `exit code after SIGINT:\n${output}`);
    const refused = await fetch(`http://127.0.0.1:${port}/healthz`).then(() => false, () => true);
    assert.ok(refused, 'the gateway stopped listening');
    if (redisPort) {
      const redisGone = await new Promise<boolean>((resolve) => {
        const s = net.connect(redisPort, '127.0.0.1');
        s.once('connect', () => { s.destroy(); resolve(false); });
        s.once('error', () => resolve(true));
      });
      assert.ok(redisGone, 'the redis-server child was stopped');
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test.run();
