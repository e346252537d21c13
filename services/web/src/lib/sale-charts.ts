// The organiser's charts as data: uPlot takes one x array (seconds) and one y array per series, all
// the same length. Where the figures come from (documented in the web README, "Organiser view"):
//  - the tickets service's per-minute timeline (issued, revoked, checked in, per gate): history,
//    sparse (minutes with nothing are left out), filled here with zeros;
//  - the waiting room's per-minute samples (waiting fans, admissions) and booking's per-minute seats
//    sold: history too, so a page opened mid-sale shows the sale from its start (historySamples);
//  - samples the page takes while it is open (the same figures, every few seconds), appended after
//    the history (appendLive).

import type { CheckInTimeline, QueueTimeline, SalesTimeline } from '../api/types.ts';

export type Timeline = CheckInTimeline;
/** x first, then one series per name, as uPlot's AlignedData. */
export interface Aligned { x: number[]; series: Record<string, number[]> }

export interface SaleSample { at: number; waiting: number; admittedPerMinute: number; seatsSold: number }

/** Keeps the last `max` samples: a page left open all day must not grow without bound. */
export function addSample(samples: SaleSample[], sample: SaleSample, max = 720): SaleSample[] {
  const next = [...samples, sample];
  return next.length > max ? next.slice(next.length - max) : next;
}

/**
 * The history before the page opened, one sample a minute: waiting fans and admissions from the
 * waiting room's samples, seats sold as a running total from booking's minutes. A minute known to
 * only one source keeps the other's last figure (waiting) or counts nothing (admissions).
 */
export function historySamples(queue: QueueTimeline | undefined, sales: SalesTimeline | undefined): SaleSample[] {
  const byMinute = new Map<number, { waiting?: number; admitted?: number; sold?: number }>();
  const at = (minute: string) => {
    const ms = Math.floor(Date.parse(minute) / 60_000) * 60_000;
    let entry = byMinute.get(ms);
    if (!entry) byMinute.set(ms, (entry = {}));
    return entry;
  };
  for (const s of queue?.samples ?? []) Object.assign(at(s.minute), { waiting: s.waiting, admitted: s.admitted });
  for (const b of sales?.buckets ?? []) at(b.minute).sold = b.sold;
  let waiting = 0;
  let seatsSold = sales?.soldBefore ?? 0;
  return [...byMinute.entries()].sort(([a], [b]) => a - b).map(([ms, m]) => {
    waiting = m.waiting ?? waiting;
    seatsSold += m.sold ?? 0;
    return { at: ms, waiting, admittedPerMinute: m.admitted ?? 0, seatsSold };
  });
}

/** History first, then the page's own samples taken after it (an overlap would draw the line backwards). */
export function withHistory(history: SaleSample[], live: SaleSample[], max = 720): SaleSample[] {
  const last = history.at(-1)?.at ?? -Infinity;
  const merged = [...history, ...live.filter((s) => s.at > last)];
  return merged.length > max ? merged.slice(merged.length - max) : merged;
}

export function liveSeries(samples: SaleSample[]): Aligned {
  return {
    x: samples.map((s) => Math.floor(s.at / 1000)),
    series: {
      'Waiting fans': samples.map((s) => s.waiting),
      'Admissions per minute': samples.map((s) => s.admittedPerMinute),
      'Seats sold': samples.map((s) => s.seatsSold),
    },
  };
}

/** Every minute from the timeline's `from` to its `to`, zeros where nothing happened. */
function minutes(timeline: Timeline): { x: number[]; index: Map<number, number> } {
  const first = Math.floor(Date.parse(timeline.from) / 60_000);
  const last = Math.floor(Date.parse(timeline.to) / 60_000);
  const x: number[] = [];
  const index = new Map<number, number>();
  for (let m = first; m <= last; m++) {
    index.set(m, x.length);
    x.push(m * 60);
  }
  return { x, index };
}

/** Tickets issued, revoked and checked in per minute. */
export function ticketSeries(timeline: Timeline): Aligned {
  const { x, index } = minutes(timeline);
  const series = { 'Tickets issued': x.map(() => 0), 'Checked in': x.map(() => 0), Revoked: x.map(() => 0) };
  for (const b of timeline.buckets) {
    const i = index.get(Math.floor(Date.parse(b.minute) / 60_000));
    if (i === undefined) continue;
    series['Tickets issued'][i] = b.issued;
    series['Checked in'][i] = b.checkedIn;
    series.Revoked[i] = b.revoked;
  }
  return { x, series };
}

/** Check-ins per minute, one series per gate (gates sorted by name, so colours stay put). */
export function gateSeries(timeline: Timeline): Aligned {
  const { x, index } = minutes(timeline);
  const gates = [...new Set(timeline.buckets.flatMap((b) => Object.keys(b.gates)))].sort();
  const series = Object.fromEntries(gates.map((g) => [g, x.map(() => 0)]));
  for (const b of timeline.buckets) {
    const i = index.get(Math.floor(Date.parse(b.minute) / 60_000));
    if (i === undefined) continue;
    for (const [gate, n] of Object.entries(b.gates)) series[gate]![i] = n;
  }
  return { x, series };
}

/** Totals over the timeline, for the text beside the charts (and screen readers: a canvas says nothing). */
export function timelineTotals(timeline: Timeline): { issued: number; checkedIn: number; revoked: number; gates: Record<string, number> } {
  const totals = { issued: 0, checkedIn: 0, revoked: 0, gates: {} as Record<string, number> };
  for (const b of timeline.buckets) {
    totals.issued += b.issued;
    totals.checkedIn += b.checkedIn;
    totals.revoked += b.revoked;
    for (const [gate, n] of Object.entries(b.gates)) totals.gates[gate] = (totals.gates[gate] ?? 0) + n;
  }
  return totals;
}
