/**
 * The Locust load kit runs: a short headless run of bench/locust/locustfile.py against a real
 * platform (standalone, as `npm start` runs it, in its own process) passes its thresholds and
 * leaves the books clean (no seat sold twice, no paid order lost); the same run with thresholds
 * no server can meet exits 1 and names them. Locust comes from install-locust.sh (a cached venv).
 */
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readBooks } from '../onsale/scenario.ts';
import { startStandaloneTarget, type Target } from '../onsale/targets.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const locustfile = path.join(import.meta.dirname, 'locustfile.py');
const FANS = 12;
const SEATS = 20;
let target: Target | undefined;

interface LocustRun { code: number | null; output: string; scheduleId: string | undefined }

function runLocust(bin: string, url: string, admin: Target['admin'], extra: string[]): Promise<LocustRun> {
  const args = ['-f', locustfile, '--headless', '-H', url, '-u', String(FANS), '-r', String(FANS), '--run-time', '150s', '--stop-timeout', '10',
    '--only-summary', '--seats', String(SEATS), '--capacity', '8', '--admit-per-minute', '1200', '--decline', '0.2', '--abandon', '0.2', ...extra];
  const child = spawn(path.join(bin, 'locust'), args, {
    cwd: repo,
    env: { ...process.env, LOCUST_ADMIN_EMAIL: admin.email, LOCUST_ADMIN_PASSWORD: admin.password },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output, scheduleId: /sale: performance \S+, schedule (\S+)/.exec(output)?.[1] })));
}

test.after(async () => {
  if (target) await (await target.finish()).close();
});

test('a headless Locust run against standalone passes its thresholds, and thresholds set too tight fail it', async () => {
  const bin = execFileSync('bash', [path.join(repo, 'packages/testenv/bin/install-locust.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  target = await startStandaloneTarget();
  // the platform listens on 127.0.0.1; "localhost" may resolve to ::1 first
  const url = target.url.replace('//localhost:', '//127.0.0.1:');

  const passing = await runLocust(bin, url, target.admin, []);
  assert.is(passing.code, 0, passing.output);
  assert.match(passing.output, 'thresholds: passed');
  assert.match(passing.output, `every fan has finished`);
  assert.ok(passing.scheduleId, passing.output);
  process.stdout.write(passing.output.split('\n').filter((l) => /fans:|thresholds:/.test(l)).join('\n') + '\n');

  // no status poll or hold answers in under a millisecond through the gateway
  const tight = await runLocust(bin, url, target.admin, ['--poll-p99-ms', '1', '--hold-p99-ms', '1']);
  assert.is(tight.code, 1, tight.output);
  assert.match(tight.output, /threshold failed: poll p99 \d+ ms, threshold below 1 ms/);
  assert.match(tight.output, /threshold failed: hold p99 \d+ ms, threshold below 1 ms/);
  assert.match(tight.output, 'thresholds: FAILED');

  const books = await target.finish();
  target = undefined;
  try {
    const ledger = await readBooks(books, passing.scheduleId!);
    assert.is(ledger.doubleSold, 0, JSON.stringify(ledger));
    assert.is(ledger.paidLost, 0, JSON.stringify(ledger));
    assert.ok(ledger.seatsSold > 0 && ledger.seatsSold <= SEATS, JSON.stringify(ledger));
  } finally {
    await books.close();
  }
});

test.run();
