#!/usr/bin/env -S node --conditions=source
/**
 * Runs every check of the repo and ends with one line `N passed, N failed`:
 * lint and type-check (one check each), then each `*.test.ts` file in its own Node process
 * (uvu prints per-file totals, summed here). Integration tests expect the test environment's
 * settings in the environment (`npm test` runs this under `testenv run`).
 *
 *   run-tests.ts [--no-lint] [--no-typecheck] [path-filter...]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { glob } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../..');
const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith('--'));
const concurrency = Number(process.env.TICKETPING_TEST_CONCURRENCY ?? Math.max(2, os.availableParallelism()));
const fileTimeoutMs = Number(process.env.TICKETPING_TEST_TIMEOUT_MS ?? 15 * 60_000);

interface Outcome { name: string; passed: number; failed: number; ms: number; output: string }

function exec(name: string, command: string, commandArgs: string[], timeoutMs = fileTimeoutMs): Promise<{ code: number; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const env = { ...process.env, FORCE_COLOR: '0', PATH: `${path.join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` };
    const child = spawn(command, commandArgs, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      output += `\n[run-tests] ${name} timed out after ${timeoutMs / 1000}s`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output, ms: Date.now() - started });
    });
  });
}

/** uvu prints "Total: N" and "Passed: N" once per process. */
function countUvu(output: string, code: number): { passed: number; failed: number } {
  const total = [...output.matchAll(/Total:\s+(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
  const passed = [...output.matchAll(/Passed:\s+(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
  let failed = total - passed;
  if (code !== 0 && failed === 0) failed = 1; // crashed, timed out or ran no test: never silently green
  if (total === 0 && code === 0) failed = 1;
  return { passed, failed };
}

async function runCheck(name: string, command: string, commandArgs: string[]): Promise<Outcome> {
  const { code, output, ms } = await exec(name, command, commandArgs);
  return { name, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, ms, output };
}

async function runFile(file: string): Promise<Outcome> {
  const { code, output, ms } = await exec(file, process.execPath, ['--conditions=source', '--enable-source-maps', file]);
  return { name: file, ...countUvu(output, code), ms, output };
}

function report(outcome: Outcome): void {
  const mark = outcome.failed ? 'FAIL' : 'ok  ';
  process.stdout.write(`${mark} ${outcome.name}  (${outcome.passed} passed, ${outcome.failed} failed, ${(outcome.ms / 1000).toFixed(1)}s)\n`);
  if (outcome.failed || process.env.TICKETPING_TEST_VERBOSE) process.stdout.write(outcome.output.replace(/^/gm, '    | ') + '\n');
}

async function main(): Promise<void> {
  const outcomes: Outcome[] = [];
  // Lint and type-check run the root package.json scripts, so `npm run lint` is the same check.
  const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const checks = [
    { flag: '--no-lint', name: 'lint (eslint, typed, per workspace)', script: 'lint' },
    { flag: '--no-typecheck', name: 'type-check (tsc per workspace)', script: 'typecheck' },
  ];
  for (const check of checks) {
    if (filters.length > 0 || args.includes(check.flag)) continue;
    const outcome = await runCheck(check.name, 'sh', ['-c', scripts[check.script]!]);
    report(outcome);
    outcomes.push(outcome);
  }

  const files: string[] = [];
  for await (const file of glob('{packages,services,operators,bench,charts}/**/*.test.ts', { cwd: root, exclude: (f) => f.includes('node_modules') })) {
    if (filters.length === 0 || filters.some((f) => file.includes(f))) files.push(file);
  }
  files.sort();
  const queue = [...files];
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const outcome = await runFile(file);
      report(outcome);
      outcomes.push(outcome);
    }
  }));

  const passed = outcomes.reduce((n, o) => n + o.passed, 0);
  const failed = outcomes.reduce((n, o) => n + o.failed, 0);
  process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

await main();
