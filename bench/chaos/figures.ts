/**
 * Runs the fault cases of bench/chaos/faults.int.test.ts once and prints, per fault: time to
 * recover, messages stranded, paid orders lost and seats sold twice (the last three must be 0).
 * Needs the test environment's Postgres, e.g.
 *   node --conditions=source packages/testenv/src/cli.ts run --only postgres -- node --conditions=source bench/chaos/figures.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FaultFigures } from './faults.int.test.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'chaos-figures-'));
const out = path.join(dir, 'figures.json');
const started = Date.now();
const run = spawnSync(process.execPath, ['--conditions=source', path.join(import.meta.dirname, 'faults.int.test.ts')], {
  // the suite's own output (its progress log, a failure's diff) goes to stderr; stdout is the table
  stdio: ['ignore', 2, 'inherit'], env: { ...process.env, CHAOS_FIGURES_OUT: out },
});
let figures: FaultFigures[] = [];
try {
  figures = JSON.parse(readFileSync(out, 'utf8')) as FaultFigures[];
} catch {
  // no file: the suite failed before its end; the table says so below
}
rmSync(dir, { recursive: true, force: true });

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const lines = [
  '| fault | time to recover | messages stranded | paid orders lost | seats sold twice |',
  '|---|---|---|---|---|',
  ...figures.map((f) => `| ${f.fault} | ${seconds(f.recoverMs)} | ${f.stranded} | ${f.paidLost} | ${f.soldTwice} |`),
];
process.stdout.write(`${lines.join('\n')}\n\n`);
for (const f of figures) if (f.detail) process.stdout.write(`${f.fault}: ${JSON.stringify(f.detail)}\n`);
process.stdout.write(`\nsuite ${run.status === 0 ? 'passed' : `FAILED (exit ${run.status ?? run.signal})`} in ${seconds(Date.now() - started)}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
process.exitCode = run.status === 0 ? 0 : 1;
