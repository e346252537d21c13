import type { QueueOdds } from '@ticketping/contracts/http';
import type { OddsFigures } from '../redis/queue-store.ts';

/** `seatsLeft` at or above this many times the seats needed: LIKELY; below UNLIKELY_BELOW times: UNLIKELY. */
export const LIKELY_FROM = 1.25;
export const UNLIKELY_BELOW = 0.75;

/**
 * Whether seats are likely to be left when a fan with `ahead` people in front reaches booking.
 * The fans choosing seats now book before them too; each of those and of the people ahead buys
 * with the share measured so far, as many seats as orders have held so far. Pure and cheap: the
 * poll computes it from the figures the last admission tick left (never a Postgres read).
 */
export function estimateOdds(figures: OddsFigures, ahead: number): QueueOdds {
  const peopleAhead = ahead + figures.choosingNow;
  const before = peopleAhead * figures.orderShare * figures.seatsPerOrder;
  const need = before + figures.seatsPerOrder;
  const outlook = figures.seatsLeft <= 0 ? 'NONE' : figures.seatsLeft >= LIKELY_FROM * need ? 'LIKELY' : figures.seatsLeft < UNLIKELY_BELOW * need ? 'UNLIKELY' : 'UNCERTAIN';
  return {
    outlook,
    seatsLeft: figures.seatsLeft,
    peopleAhead,
    seatsPerOrder: figures.seatsPerOrder,
    seatsPerOrderMeasured: figures.seatsPerOrderMeasured,
    orderShare: figures.orderShare,
    expectedSeatsBeforeYou: Math.ceil(before),
    asOf: figures.asOfMs > 0 ? new Date(figures.asOfMs).toISOString() : null,
  };
}
