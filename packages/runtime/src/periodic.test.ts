import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '@ticketping/logger';
import { Writable } from 'node:stream';
import { runPeriodically } from './periodic.ts';

const lines: string[] = [];
const logger = createLogger({ service: 't', destination: new Writable({ write(c: Buffer, _e, done) { lines.push(c.toString()); done(); } }) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('runs on its interval, one run at a time, and stop waits for the run in progress', async () => {
  let running = 0;
  let maxRunning = 0;
  let runs = 0;
  const job = runPeriodically('slow', 5, logger, async () => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    await sleep(20);
    running--;
    runs++;
  });
  await sleep(80);
  job.wake();
  job.wake();
  await job.stop();
  assert.is(maxRunning, 1);
  assert.ok(runs >= 2, `ran ${runs} times`);
  assert.is(running, 0, 'stop resolved after the run ended');
  const after = runs;
  await sleep(30);
  assert.is(runs, after, 'nothing runs after stop');
});

test('wake runs at once instead of at the next tick; a failing run is logged and retried', async () => {
  let calls = 0;
  const job = runPeriodically('flaky', 60_000, logger, async () => {
    calls++;
    if (calls === 1) throw new Error('first run fails');
  });
  job.wake();
  await sleep(10);
  job.wake();
  await sleep(10);
  await job.stop();
  assert.is(calls, 2);
  assert.ok(lines.some((l) => l.includes('periodic task failed') && l.includes('flaky')));
});

test.run();
