/**
 * CPU and memory of the processes under test, read from /proc (Linux): CPU time is utime + stime
 * from /proc/<pid>/stat, memory is VmRSS from /proc/<pid>/status, sampled once a second for the peak.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface Watched { name: string; pid: number }
export interface ProcessFigures { name: string; pid: number; cpuSeconds: number; cpuPercent: number; rssPeakMiB: number; rssEndMiB: number }

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the command name may hold spaces: fields are counted after its closing parenthesis
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime (fields 14, 15)
}

function rssMiB(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib ?? 0) / 1024;
}

/** The processes whose parent is `pid` (e.g. standalone's redis-server). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch { /* gone meanwhile */ }
  }
  return children;
}

export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** Starts watching now; `stop()` returns each process's CPU use and peak RSS since the start. */
export function watchProcesses(watched: Watched[]): { stop(): ProcessFigures[] } {
  const started = performance.now();
  const cpuAtStart = watched.map((w) => cpuSeconds(w.pid));
  const peaks = watched.map((w) => rssMiB(w.pid));
  const sample = () => watched.forEach((w, i) => {
    try {
      peaks[i] = Math.max(peaks[i]!, rssMiB(w.pid));
    } catch { /* exited: keep the last peak */ }
  });
  const timer = setInterval(sample, 1000);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const wallSeconds = (performance.now() - started) / 1000;
      return watched.map((w, i) => {
        const used = cpuSeconds(w.pid) - cpuAtStart[i]!;
        return { name: w.name, pid: w.pid, cpuSeconds: used, cpuPercent: (used / wallSeconds) * 100, rssPeakMiB: peaks[i]!, rssEndMiB: rssMiB(w.pid) };
      });
    },
  };
}

/** Busy and total jiffies of all CPUs together, from the first line of /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((sum, n) => sum + n, 0); // user … steal (guest is inside user)
  const idle = fields[3]! + fields[4]!; // idle, iowait
  return { busy: total - idle, total };
}

export interface MachineFigures { cores: number; busyPercent: number }

/**
 * Starts watching the whole machine: how busy its cores were over the sale, everything included
 * (also Postgres' backends, which the per-process figures miss). Near 100 % means the figures
 * measure a saturated machine, where every latency is mostly waiting for a core.
 */
export function watchMachine(): { stop(): MachineFigures } {
  const start = machineTicks();
  const cores = readFileSync('/proc/stat', 'utf8').split('\n').filter((line) => /^cpu\d+ /.test(line)).length;
  return {
    stop() {
      const end = machineTicks();
      return { cores, busyPercent: ((end.busy - start.busy) / Math.max(1, end.total - start.total)) * 100 };
    },
  };
}
