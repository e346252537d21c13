import type { Knex } from '@ticketping/db';

export interface SalesMinute { minute: Date; sold: number; held: number }
export interface SalesTimelineRows { soldBefore: number; minutes: SalesMinute[] }

/**
 * Seats per minute for one schedule since `from`: sold by when the order was confirmed (its
 * updated_at, see the migration), held by when it was placed. A refunded order leaves `sold`, so the
 * chart shows the seats that are sold now.
 */
export async function readSalesTimeline(db: Knex, scheduleId: string, from: Date): Promise<SalesTimelineRows> {
  const [before, perMinute] = await Promise.all([
    db.raw<{ rows: Array<{ seats: string }> }>(
      `select count(*) as seats from orders o join order_seats s on s.order_id = o.id
        where o.schedule_id = ? and o.status = 'CONFIRMED' and o.updated_at < ?`,
      [scheduleId, from],
    ),
    db.raw<{ rows: Array<{ minute: Date; sold: string; held: string }> }>(
      `select minute, sum(sold) as sold, sum(held) as held from (
          select date_trunc('minute', o.updated_at) as minute, count(*) as sold, 0 as held
            from orders o join order_seats s on s.order_id = o.id
           where o.schedule_id = ? and o.status = 'CONFIRMED' and o.updated_at >= ?
           group by 1
          union all
          select date_trunc('minute', o.created_at), 0, count(*)
            from orders o join order_seats s on s.order_id = o.id
           where o.schedule_id = ? and o.created_at >= ?
           group by 1
        ) m group by minute order by minute`,
      [scheduleId, from, scheduleId, from],
    ),
  ]);
  return {
    soldBefore: Number(before.rows[0]?.seats ?? 0),
    minutes: perMinute.rows.map((r) => ({ minute: new Date(r.minute), sold: Number(r.sold), held: Number(r.held) })),
  };
}
