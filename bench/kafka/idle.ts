/**
 * Idle cost of a connected Kafka client: the bus's admin, producer and consumer (as every service
 * runs them) after one event went through, then left alone. Prints the CPU the process used over
 * the window (process.cpuUsage, user + system, as a share of one core) and the timers it armed.
 *
 *   node_modules/.bin/node --conditions=source bench/kafka/idle.ts [--seconds 20] [--settle-seconds 5]
 *
 * Needs a broker: `npm run testenv -- up --only kafka` in another terminal, or TICKETPING_KAFKA_BROKERS.
 * Whether kafkajs carries patches/kafkajs+*.patch is printed, so before/after runs are told apart
 * (`npx patch-package --reverse` takes the patch out, `npm ci` or `npx patch-package` puts it back).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { randomPrefix, testEnv } from '@ticketping/testing';
import { connectClient } from './client.ts';
import { countTimers } from './timers.ts';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, 'settle-seconds': { type: 'string', default: '5' } } });
const seconds = Number(args.seconds);
const print = (line: string) => process.stdout.write(`${line}\n`);

const requestQueue = createRequire(import.meta.url).resolve('kafkajs/src/network/requestQueue/index.js');
const patched = readFileSync(requestQueue, 'utf8').includes('kafkajs#1704');
print(`kafkajs idle client: ${patched ? 'patched' : 'UNPATCHED'} requestQueue; ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ` +
  `${new Date().toISOString()}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

const client = await connectClient(testEnv.kafkaBrokers, `${randomPrefix('idle')}.`);
try {
  // joining the group and the first fetches are work, not idleness
  await sleep(Number(args['settle-seconds']) * 1000);
  const timers = countTimers();
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await sleep(seconds * 1000);
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - wallBefore;
  const armed = timers.stop();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  print(`idle ${(wallMs / 1000).toFixed(1)} s: CPU ${cpuMs.toFixed(0)} ms (user ${(cpu.user / 1000).toFixed(0)}, system ${(cpu.system / 1000).toFixed(0)}) = ` +
    `${((cpuMs / wallMs) * 100).toFixed(2)} % of one core; timers armed ${armed.armed} (${(armed.armed / (wallMs / 1000)).toFixed(0)}/s), ` +
    `of which due within 1 ms ${armed.dueWithin1ms}`);
  await client.roundTrip();
  print('an event still goes through after the idle window');
} finally {
  await client.close();
}
