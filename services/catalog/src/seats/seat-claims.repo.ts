import type { Knex } from '@ticketping/db';

/**
 * How far one order got with one seat. Each order's events arrive in order (they share its key),
 * but events of different orders for the same seat may not (other partitions, retries). So every
 * order keeps its own claim, a claim only moves forward (HELD → SOLD → RELEASED, never back), and a
 * seat's status is derived from its live claims. The result is the same in whatever order, and
 * however often, the events arrive.
 */
export type ClaimState = 'HELD' | 'SOLD' | 'RELEASED';
const PROGRESS = `array['HELD', 'SOLD', 'RELEASED']`;

export interface ClaimChange {
  scheduleId: string;
  orderId: string;
  seatIds: string[];
  state: ClaimState;
}

/** Records the order's claim on its seats and re-derives their status; returns the seats touched. */
export async function applyClaim(trx: Knex.Transaction, change: ClaimChange): Promise<number> {
  // Lock the seats first (in a fixed order, so no deadlocks): two orders' events for one seat then
  // apply one after the other, and each re-derivation sees the other's committed claim.
  const seats = await trx('seats').whereIn('id', change.seatIds).andWhere({ schedule_id: change.scheduleId }).orderBy('id').forUpdate().pluck('id');
  if (seats.length === 0) return 0;
  await trx.raw(
    `insert into seat_claims (seat_id, order_id, state)
     select unnest(?::uuid[]), ?, ?
     on conflict (seat_id, order_id) do update set state = excluded.state, updated_at = now()
      where array_position(${PROGRESS}, excluded.state) > array_position(${PROGRESS}, seat_claims.state)`,
    [seats, change.orderId, change.state],
  );
  await trx.raw(
    `update seats s set status = coalesce(
        (select case when bool_or(c.state = 'SOLD') then 'SOLD' when bool_or(c.state = 'HELD') then 'HELD' end
           from seat_claims c where c.seat_id = s.id),
        'AVAILABLE')
      where s.id = any(?::uuid[])`,
    [seats],
  );
  return seats.length;
}
