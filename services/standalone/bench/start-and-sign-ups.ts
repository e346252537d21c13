/**
 * Figures for `npm start` (issue 19): cold start (empty data folder: initdb, migrations, demo seed)
 * and warm start, each to the printed banner, then N fans who all sign up and log in at the same
 * moment through the gateway (latency percentiles and status codes). Run the same program as
 * `npm start` does; prints its figures.
 *
 *   node_modules/.bin/node --conditions=source services/standalone/bench/start-and-sign-ups.ts [--fans 100]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '@ticketping/http';

const { values: args } = parseArgs({ options: { fans: { type: 'string', default: '100' } } });
const fans = Number(args.fans);
const main = path.resolve(import.meta.dirname, '../src/main.ts');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'standalone-figures-'));
const port = await freePort();
const print = (line: string) => process.stdout.write(`${line}\n`);
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

async function start(): Promise<{ child: ChildProcess; seconds: number }> {
  const began = performance.now();
  const child = spawn(process.execPath, ['--conditions=source', main], { env: { ...process.env, PORT: String(port), DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('Admin login')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  return { child, seconds: (performance.now() - began) / 1000 };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  return exited;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/**
 * One fan's request as the web client sends it: a 503 with Retry-After (auth's hashing budget is
 * full) is waited out and sent again, so `ms` is what the fan waits in all and `busy` how many
 * such answers it got on the way. Each fan comes from its own /24 (X-Forwarded-For, which the
 * gateway trusts from loopback by default): from one address, the per-address sign-up cap would
 * refuse all but a few, which is that cap working, not the sign-in path under load.
 */
async function post(route: string, body: unknown, fan: number): Promise<{ status: number; ms: number; busy: number }> {
  const t = performance.now();
  const headers = { 'content-type': 'application/json', 'x-forwarded-for': `10.${fan >> 8}.${fan & 255}.7` };
  for (let busy = 0; ; busy++) {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1${route}`, { method: 'POST', headers, body: JSON.stringify(body) });
    await res.arrayBuffer();
    const retryAfter = Number(res.headers.get('retry-after'));
    if (res.status !== 503 || !retryAfter || busy >= 20) return { status: res.status, ms: performance.now() - t, busy };
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
  }
}

print(`npm start figures: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString()}, load average ${load()}`);
try {
  const cold = await start();
  print(`cold start (empty data folder) to the banner: ${cold.seconds.toFixed(1)} s; Ctrl-C exit code ${await stop(cold.child)}`);
  const warm = await start();
  print(`warm start to the banner: ${warm.seconds.toFixed(1)} s`);

  const began = performance.now();
  const journeys = await Promise.all(Array.from({ length: fans }, async (_, i) => {
    const email = `fan-${i}-${randomUUID().slice(0, 8)}@figures.test`;
    const signUp = await post('/users', { email, password: 'correct horse battery', nickname: `fan${i}` }, i);
    const login = await post('/auth/login', { email, password: 'correct horse battery' }, i);
    return { signUp, login, total: signUp.ms + login.ms };
  }));
  const seconds = (performance.now() - began) / 1000;
  const statuses = new Map<string, number>();
  for (const j of journeys) for (const [step, r] of [['sign-up', j.signUp], ['login', j.login]] as const) statuses.set(`${step} ${r.status}`, (statuses.get(`${step} ${r.status}`) ?? 0) + 1);
  const fmt = (values: number[]) => `p50 ${(percentile(values, 50) / 1000).toFixed(2)} s, p99 ${(percentile(values, 99) / 1000).toFixed(2)} s, max ${(Math.max(...values) / 1000).toFixed(2)} s`;
  print(`${fans} fans sign up and log in at once: all done in ${seconds.toFixed(1)} s`);
  print(`  sign-up ${fmt(journeys.map((j) => j.signUp.ms))}`);
  print(`  login   ${fmt(journeys.map((j) => j.login.ms))}`);
  print(`  sign-up + login ${fmt(journeys.map((j) => j.total))}`);
  print(`  final answers: ${[...statuses].map(([k, n]) => `${k} × ${n}`).join(', ')}; 5xx in the end: ${journeys.filter((j) => j.signUp.status >= 500 || j.login.status >= 500).length}`);
  print(`  503 + Retry-After waited out on the way (hashing budget full): ${journeys.reduce((n, j) => n + j.signUp.busy + j.login.busy, 0)}, by ${journeys.filter((j) => j.signUp.busy + j.login.busy > 0).length} fans`);
  print(`Ctrl-C exit code ${await stop(warm.child)}; load average after ${load()}`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
