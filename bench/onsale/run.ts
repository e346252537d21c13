/**
 * A scripted on-sale: N fans enter the waiting room at once, poll at the `pollAfterMs` they are
 * given, are admitted at the configured rate, hold random available seats and pay (some declined
 * first, some abandon the checkout), for a performance of M seats. Prints entries/s, poll latency,
 * admission rate achieved vs configured, time to sell out, holds/s, what booking's and payment's
 * databases hold afterwards (seats sold twice and paid orders lost must be 0), and CPU and RSS
 * of every process, this driver included. Latencies are given twice: client-side (what each fan
 * waited, on its own connection) and server-side (the gateway's request histogram over the sale).
 * A progress line each second tells how far the sale is.
 *
 *   node_modules/.bin/node --conditions=source bench/onsale/run.ts [--target standalone|processes]
 *       [--fans 10000] [--seats 2000] [--sign-ups 100] [--capacity 500] [--admit-per-minute 3000]
 *       [--max-seats-per-order 4] [--pow-max-number 1000] [--decline 0.1] [--abandon 0.1] [--arrival-seconds 0] [--deadline-seconds 900]
 *
 * `standalone` runs the platform as `npm start` does (in a child process, so its CPU is its own);
 * `processes` runs each service's `src/main.ts` as its own process on the test environment's
 * Kafka, Postgres and Redis (`npm run testenv up`), with fresh databases and topic prefix.
 * Signing up is scrypt (~0.1–0.3 s of CPU per hash here), so only `--sign-ups` fans sign up and
 * log in through the API (timed on their own); the others get access tokens signed with auth's
 * key, exactly what a login returns. The driver also solves every fan's proof-of-work, so the
 * performance's difficulty is set low (`--pow-max-number`; see RehearsalOptions). Exits 1 if an
 * invariant fails.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { describe, violations } from './report.ts';
import { rehearse, type RehearsalOptions } from './scenario.ts';
import { startProcessesTarget, startStandaloneTarget } from './targets.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);

const { values: args } = parseArgs({
  options: {
    target: { type: 'string', default: 'standalone' },
    fans: { type: 'string', default: '10000' },
    seats: { type: 'string', default: '2000' },
    'sign-ups': { type: 'string', default: '100' },
    capacity: { type: 'string', default: '500' },
    'admit-per-minute': { type: 'string', default: '3000' },
    'max-seats-per-order': { type: 'string', default: '4' },
    'pow-max-number': { type: 'string', default: '1000' },
    decline: { type: 'string', default: '0.1' },
    abandon: { type: 'string', default: '0.1' },
    'arrival-seconds': { type: 'string', default: '0' },
    'deadline-seconds': { type: 'string', default: '900' },
  },
});
const options: RehearsalOptions = {
  fans: Number(args.fans), seats: Number(args.seats), signUps: Number(args['sign-ups']), capacity: Number(args.capacity),
  admitPerMinute: Number(args['admit-per-minute']), maxSeatsPerOrder: Number(args['max-seats-per-order']),
  proofOfWorkMaxNumber: Number(args['pow-max-number']), arrivalMs: Number(args['arrival-seconds']) * 1000,
  declineShare: Number(args.decline), abandonShare: Number(args.abandon), deadlineMs: Number(args['deadline-seconds']) * 1000,
  progress: (line) => print(line),
};
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

print(`on-sale rehearsal (${args.target}): ${options.fans} fans, ${options.seats} seats, capacity ${options.capacity}, ${options.admitPerMinute} admissions/min, ` +
  `up to ${options.maxSeatsPerOrder} seats per order, proof-of-work maxnumber ${options.proofOfWorkMaxNumber} (solved by this driver), ${options.declineShare * 100} % declined first, ${options.abandonShare * 100} % abandon, ` +
  `one connection per fan, arriving ${options.arrivalMs > 0 ? `over ${options.arrivalMs / 1000} s` : 'at once'}`);
print(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString()}, load average ${load()}`);
const target = args.target === 'processes' ? await startProcessesTarget() : await startStandaloneTarget();
const result = await rehearse(target, options);
for (const line of describe(result, options)) print(line);
print(`load average after: ${load()}`);
const problems = violations(result, options);
print(problems.length ? `RESULT: FAILED: ${problems.join('; ')}` : 'RESULT: ok');
process.exitCode = problems.length ? 1 : 0;
