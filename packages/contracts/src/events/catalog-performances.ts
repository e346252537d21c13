import { z } from 'zod';
import { currencyCode, instant, minorUnits, uuid } from './fields.ts';

/**
 * `performance.published`: the sale's settings. Published again after every admin change, so
 * consumers treat it as an upsert of the performance.
 */
export const performancePublished = z.object({
  performanceId: uuid(),
  title: z.string(),
  bookingOpensAt: instant(),
  bookingClosesAt: instant(),
  maxSeatsPerOrder: z.number().int().positive(),
  /** Absent from events published before the per-person limit existed: then it is maxSeatsPerOrder. */
  maxSeatsPerPerson: z.number().int().positive().optional(),
  queue: z.object({ capacity: z.number().int().min(1), admitPerMinute: z.number().int().min(1) }),
  /** Only accounts with a confirmed e-mail address may enter the waiting room. Absent from older events: false. */
  requireVerifiedEmail: z.boolean().optional(),
  /** Seats on sale over all schedules: the performance is sold out when they all are. */
  totalSeats: z.number().int().nonnegative(),
  schedules: z.array(z.object({ scheduleId: uuid(), startsAt: instant() })),
});

/** `seats.published`: one slice of one schedule's seats (`part` of `parts`, so a consumer knows when it has all). */
export const seatsPublished = z.object({
  performanceId: uuid(),
  scheduleId: uuid(),
  part: z.number().int().min(1),
  parts: z.number().int().min(1),
  seats: z.array(z.object({
    seatId: uuid(),
    section: z.string(),
    row: z.number().int(),
    number: z.number().int(),
    grade: z.string(),
    price: minorUnits(),
    currency: currencyCode(),
  })),
});

/** `performance.cancelled`: the sale is off. */
export const performanceCancelled = z.object({ performanceId: uuid(), cancelledAt: instant() });
