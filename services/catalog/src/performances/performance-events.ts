import type { EventPayload, EventTypeOn } from '@ticketping/contracts/events';
import { TOPICS } from '@ticketping/contracts/topics';
import type { PublishedSeat } from '../seats/seats.repo.ts';
import { seatsPerPerson, type PerformanceDetail } from './performance.types.ts';

/** Topic of every event catalog publishes (docs/events.md); keyed by performanceId so they stay in order. */
export const PERFORMANCES_TOPIC = TOPICS.catalogPerformances;
/** Keeps each message well under Kafka's default 1 MB limit. */
export const SEATS_PER_EVENT = 500;

/** One event for the outbox, its payload typed by the contract. */
export type OutgoingEvent = { [T in EventTypeOn<typeof PERFORMANCES_TOPIC>]: { topic: typeof PERFORMANCES_TOPIC; type: T; key: string; payload: EventPayload<T> } }[EventTypeOn<typeof PERFORMANCES_TOPIC>];

/**
 * `performance.published`: the sale's settings. Published again after every admin change, so
 * consumers treat it as an upsert of the performance.
 */
export function performancePublished(p: PerformanceDetail): OutgoingEvent {
  const seatsPerSchedule = p.sections.reduce((n, s) => n + s.rows * s.seatsPerRow, 0);
  return {
    topic: PERFORMANCES_TOPIC,
    type: 'performance.published',
    key: p.id,
    payload: {
      performanceId: p.id,
      title: p.title,
      bookingOpensAt: p.bookingOpensAt.toISOString(),
      bookingClosesAt: p.bookingClosesAt.toISOString(),
      maxSeatsPerOrder: p.maxSeatsPerOrder,
      maxSeatsPerPerson: seatsPerPerson(p),
      requireVerifiedEmail: p.requireVerifiedEmail,
      queue: { capacity: p.queue.capacity, admitPerMinute: p.queue.admitPerMinute },
      // Seats on sale over all schedules: the performance is sold out when they all are.
      totalSeats: seatsPerSchedule * p.schedules.length,
      schedules: p.schedules.map((s) => ({ scheduleId: s.id, startsAt: s.startsAt.toISOString() })),
    },
  };
}

/** `seats.published`: every seat of every schedule, at most SEATS_PER_EVENT per event. */
export function seatsPublished(performanceId: string, seats: PublishedSeat[]): OutgoingEvent[] {
  const bySchedule = Map.groupBy(seats, (s) => s.scheduleId);
  return [...bySchedule].flatMap(([scheduleId, scheduleSeats]) => {
    const events: OutgoingEvent[] = [];
    const parts = Math.ceil(scheduleSeats.length / SEATS_PER_EVENT);
    for (let start = 0; start < scheduleSeats.length; start += SEATS_PER_EVENT) {
      events.push({
        topic: PERFORMANCES_TOPIC,
        type: 'seats.published',
        key: performanceId,
        payload: {
          performanceId,
          scheduleId,
          // Which slice of the schedule this is, so a consumer knows when it has all of them.
          part: start / SEATS_PER_EVENT + 1,
          parts,
          seats: scheduleSeats.slice(start, start + SEATS_PER_EVENT).map(({ seatId, section, row, number, grade, price, currency }) => ({ seatId, section, row, number, grade, price, currency })),
        },
      });
    }
    return events;
  });
}

/** `performance.cancelled` (an extension of docs/events.md): the sale is off. */
export function performanceCancelled(performanceId: string, cancelledAt: Date): OutgoingEvent {
  return { topic: PERFORMANCES_TOPIC, type: 'performance.cancelled', key: performanceId, payload: { performanceId, cancelledAt: cancelledAt.toISOString() } };
}
