import { NotFoundError } from '@ticketping/http';

/**
 * scheduleId → performanceId, from catalog's `GET /api/v1/schedules/{id}`. A schedule never moves
 * to another performance, so answers are kept for good (bounded; oldest out first) and concurrent
 * lookups of one schedule share a single call.
 */
export function createScheduleDirectory(fetchPerformanceId: (scheduleId: string) => Promise<string | undefined>, maxEntries = 100_000) {
  const known = new Map<string, string>();
  const pending = new Map<string, Promise<string>>();

  async function lookUp(scheduleId: string): Promise<string> {
    const performanceId = await fetchPerformanceId(scheduleId);
    if (!performanceId) throw new NotFoundError('SCHEDULE_NOT_FOUND', 'No such schedule');
    if (known.size >= maxEntries) known.delete(known.keys().next().value as string);
    known.set(scheduleId, performanceId);
    return performanceId;
  }

  return {
    performanceOf(scheduleId: string): Promise<string> {
      const hit = known.get(scheduleId);
      if (hit) return Promise.resolve(hit);
      let inFlight = pending.get(scheduleId);
      if (!inFlight) {
        inFlight = lookUp(scheduleId).finally(() => pending.delete(scheduleId));
        pending.set(scheduleId, inFlight);
      }
      return inFlight;
    },
  };
}

export type ScheduleDirectory = ReturnType<typeof createScheduleDirectory>;
