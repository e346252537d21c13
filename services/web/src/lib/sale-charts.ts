// The organiser's charts as data: uPlot takes one x array (seconds) and one y array per series, all
// the same length. Two sources feed them (documented in the web README, "Organiser view"):
//  - the tickets service's per-minute timeline (issued, revoked, checked in, per gate): history,
//    sparse (minutes with nothing are left out), filled here with zeros;
//  - samples the page takes while it is open (the queue's waiting fans and measured admissions per
//    minute, booking's seats sold): the waiting room keeps no history, so these start with the page.

import type { CheckInTimeline } from '../api/types.ts';

export type Timeline = CheckInTimeline;
/** x first, then one series per name, as uPlot's AlignedData. */
export interface Aligned { x: number[]; series: Record<string, number[]> }

export interface SaleSample { at: number; waiting: number; admittedPerMinute: number; seatsSold: number }

/** Keeps the last `max` samples: a page left open all day must not grow without bound. */
export function addSample(samples: SaleSample[], sample: SaleSample, max = 720): SaleSample[] {
  const next = [...samples, sample];
  return next.length > max ? next.slice(next.length - max) : next;
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
