/** The figures of a rehearsal as printed lines, and the invariants that must hold. */
import type { Rehearsal, RehearsalOptions } from './scenario.ts';
import { describeObjectives, describeServerLatency } from './server-latency.ts';
import { describeEventPaths } from './event-paths.ts';

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const ms = (values: number[]) => ['p50', 'p95', 'p99'].map((p) => `${p} ${percentile(values, Number(p.slice(1))).toFixed(1)} ms`).join(', ') + ` (n ${values.length})`;
const perSecond = (count: number, spanMs: number) => (spanMs > 0 ? (count / (spanMs / 1000)).toFixed(1) : 'n/a');
/** Events per second between the first and the last of them. */
const rateOf = (at: number[]) => (at.length < 2 ? Number.NaN : ((at.length - 1) / ((Math.max(...at) - Math.min(...at)) / 1000)));

/** Problems that make the rehearsal fail: correctness, not speed. */
export function violations(r: Rehearsal, options: RehearsalOptions): string[] {
  const problems: string[] = [];
  if (r.books.doubleSold !== 0) problems.push(`${r.books.doubleSold} seats in two live orders`);
  if (r.books.paidLost !== 0) problems.push(`${r.books.paidLost} SUCCEEDED payments whose order is neither CONFIRMED nor REFUNDED`);
  if (r.books.seatsSold > options.seats) problems.push(`${r.books.seatsSold} seats sold of ${options.seats}`);
  const fansDone = [...r.journey.outcomes].filter(([o]) => o !== 'timed out').reduce((n, [, c]) => n + c, 0) === options.fans;
  if (r.books.seatsSold !== options.seats && !fansDone) problems.push(`only ${r.books.seatsSold} of ${options.seats} seats sold and not every fan finished`);
  if (r.books.seatsSold !== r.journey.seatsConfirmed) problems.push(`fans saw ${r.journey.seatsConfirmed} seats confirmed, booking's database has ${r.books.seatsSold}`);
  const serverErrors = [...r.journey.answers].filter(([answer]) => / 5\d\d/.test(answer) || answer.includes('network error'));
  if (serverErrors.length) problems.push(`server errors: ${serverErrors.map(([a, n]) => `${a} ×${n}`).join(', ')}`);
  return problems;
}

export function describe(r: Rehearsal, options: RehearsalOptions): string[] {
  const j = r.journey;
  const admitted = rateOf(j.admittedAt) * 60;
  return [
    `sign-up (setup, not timed with the sale): ${r.signUp.fans} fans signed up and logged in through the API in ${r.signUp.seconds.toFixed(1)} s; sign-up ${ms(r.signUp.signUpLatencies)}; login ${ms(r.signUp.loginLatencies)}; the other ${options.fans - r.signUp.fans} fans hold access tokens signed with auth's key`,
    `entries: ${j.entryLatencies.length} fans entered ${options.arrivalMs > 0 ? `over ${(options.arrivalMs / 1000).toFixed(0)} s` : 'at once'}, all answered after ${(j.entriesDoneMs / 1000).toFixed(2)} s → ${perSecond(j.entryLatencies.length, j.entriesDoneMs)} entries/s; client-side ${ms(j.entryLatencies)}`,
    `polls: client-side ${ms(j.pollLatencies)}`,
    `admission: ${j.admittedAt.length} fans admitted, ${Number.isNaN(admitted) ? 'n/a' : admitted.toFixed(0)}/min achieved (first to last admission seen by the fans) vs ${options.admitPerMinute}/min configured, capacity ${options.capacity}`,
    `holds: ${j.heldAt.length} orders held, ${rateOf(j.heldAt).toFixed(1)} holds/s (first to last); client-side hold requests ${ms(j.holdLatencies)}; payments ${ms(j.payLatencies)}, ${j.declined} declined first`,
    `sell-out: ${Number.isNaN(j.soldOutMs) ? `not sold out (${j.seatsConfirmed} of ${options.seats} seats confirmed)` : `every seat in a confirmed order ${(j.soldOutMs / 1000).toFixed(1)} s after the first entry`}; the sale took ${(j.wallMs / 1000).toFixed(1)} s`,
    `fans: ${JSON.stringify(Object.fromEntries(j.outcomes))}`,
    `answers: ${JSON.stringify(Object.fromEntries([...j.answers].sort()))}`,
    `books: orders ${JSON.stringify(r.books.ordersByStatus)}; payments ${JSON.stringify(r.books.paymentsByStatus)}`,
    `orders confirmed ${r.books.ordersByStatus.CONFIRMED ?? 0}, seats sold ${r.books.seatsSold} of ${options.seats}, seats sold twice ${r.books.doubleSold}, paid orders lost ${r.books.paidLost}`,
    ...describeEventPaths(r.books.eventPaths),
    ...describeServerLatency(r.serverLatency),
    describeObjectives(r.serverLatency),
    `machine: ${r.machine.cores} cores ${r.machine.busyPercent.toFixed(0)} % busy over the sale (every process, Postgres' backends included)`,
    ...r.processes.map((p) => `process ${p.name} (pid ${p.pid}): CPU ${p.cpuSeconds.toFixed(1)} s = ${p.cpuPercent.toFixed(0)} % of one core over the sale, RSS peak ${p.rssPeakMiB.toFixed(0)} MiB`),
  ];
}
