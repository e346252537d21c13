import type { EntryReply, EntryResult, QueueState, QueueView, SettingsChange, TickResult } from '../redis/queue-store.ts';
import type { WaitingRoomStore } from './waiting-room.service.ts';

interface Line {
  state: QueueState;
  capacity: number;
  admitPerMinute: number;
  maxLine: number | null;
  waiting: string[];
  active: Map<string, { windowEndMs: number; token: string }>;
}

export interface MemoryLine extends WaitingRoomStore {
  open(performanceId: string, settings: Partial<Pick<Line, 'state' | 'capacity' | 'admitPerMinute' | 'maxLine'>>): void;
  /** The admission tick: the head of the line takes each free slot while the queue is OPEN. */
  tick(performanceId: string): Promise<TickResult>;
}

/**
 * The line in memory, for the waiting room's unit tests: first come first admitted, a fixed
 * active window, no draw and no abandonment. The Lua scripts hold the real rules (fairness,
 * polling budgets, the pre-queue); the Redis suites test those against a real Redis.
 */
export function createMemoryLine({ now = () => Date.now(), activeWindowMs = 600_000, pollAfterMs = 2_000 } = {}): MemoryLine {
  const lines = new Map<string, Line>();

  const reply = (line: Line, userId: string): EntryReply | undefined => {
    const active = line.active.get(userId);
    if (active) return { status: 'ADMITTED', position: 0, ahead: 0, etaSeconds: 0, pollAfterMs, windowEndMs: active.windowEndMs, token: active.token, reason: '', opensAtMs: 0, lane: '', odds: null };
    const index = line.waiting.indexOf(userId);
    if (index < 0) return undefined;
    const etaSeconds = Math.ceil(((index + 1) / Math.max(1, line.admitPerMinute)) * 60);
    return { status: 'WAITING', position: index + 1, ahead: index, etaSeconds, pollAfterMs, windowEndMs: 0, token: '', reason: '', opensAtMs: 0, lane: '', odds: null };
  };

  return {
    open(performanceId, settings) {
      lines.set(performanceId, { state: 'OPEN', capacity: 1, admitPerMinute: 60, maxLine: null, waiting: [], active: new Map(), ...settings });
    },

    async entry(performanceId, userId, mode): Promise<EntryResult> {
      const line = lines.get(performanceId);
      if (!line) return { kind: 'NO_QUEUE' };
      const known = reply(line, userId);
      if (known) return { kind: 'entry', entry: known };
      if (mode === 'poll') return { kind: 'NOT_IN_QUEUE' };
      if (line.state === 'SOLD_OUT') return { kind: 'SOLD_OUT' };
      if (line.state === 'CLOSED') return { kind: 'QUEUE_CLOSED' };
      if (line.maxLine !== null && line.waiting.length >= line.maxLine) return { kind: 'QUEUE_FULL', retryAfterSeconds: 30 };
      line.waiting.push(userId);
      return { kind: 'entry', entry: reply(line, userId)! };
    },

    async storeToken(performanceId, userId, windowEndMs, token) {
      const active = lines.get(performanceId)?.active.get(userId);
      if (!active || active.windowEndMs !== windowEndMs) return false;
      active.token = token;
      return true;
    },

    async leave(performanceId, userId) {
      const line = lines.get(performanceId);
      if (line?.active.delete(userId)) return 'ACTIVE';
      const index = line?.waiting.indexOf(userId) ?? -1;
      if (index < 0) return 'NONE';
      line!.waiting.splice(index, 1);
      return 'WAITING';
    },

    async configure(performanceId, change: SettingsChange) {
      const line = lines.get(performanceId);
      if (!line) return false;
      Object.assign(line, change);
      return true;
    },

    async describe(performanceId): Promise<QueueView | undefined> {
      const line = lines.get(performanceId);
      if (!line) return undefined;
      return {
        capacity: line.capacity, admitPerMinute: line.admitPerMinute, state: line.state, opensAtMs: 0, closesAtMs: 0, totalSeats: 0,
        maxLine: line.maxLine, drawSeed: null, drawCommitment: null, openedAtMs: null, preQueued: 0, waiting: line.waiting.length,
        active: line.active.size, admitRatePerMinute: 0, etaSeconds: 0, seatsTaken: 0, requireVerifiedEmail: false,
      };
    },

    async tick(performanceId) {
      const line = lines.get(performanceId);
      const admitted: string[] = [];
      while (line?.state === 'OPEN' && line.active.size < line.capacity && line.waiting.length > 0) {
        const userId = line.waiting.shift()!;
        line.active.set(userId, { windowEndMs: now() + activeWindowMs, token: '' });
        admitted.push(userId);
      }
      return {
        nowMs: now(), state: line?.state ?? 'NO_QUEUE', admitted, expired: 0, abandoned: 0, waiting: line?.waiting.length ?? 0,
        active: line?.active.size ?? 0, capacity: line?.capacity ?? 0, admitPerMinute: line?.admitPerMinute ?? 0, admitRatePerMinute: 0, etaSecondsOfLast: 0,
        operatorAdmitPerMinute: 0, effectiveAdmitPerMinute: line?.admitPerMinute ?? 0,
      };
    },
  };
}
