import type { Knex } from '@ticketping/db';

/**
 * The organiser's sales timeline (GET /api/v1/admin/schedules/:id/sales) reads one schedule's
 * orders by when they were placed and its confirmed ones by when they were confirmed (updated_at:
 * a CONFIRMED order changes only to REFUNDED, so its updated_at is the confirmation). Without these
 * it scans every order of every schedule, during an on-sale, every few seconds per open admin page.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create index orders_by_schedule_placed on orders (schedule_id, created_at);
    create index orders_confirmed_by_schedule on orders (schedule_id, updated_at) where status = 'CONFIRMED';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index orders_confirmed_by_schedule;
    drop index orders_by_schedule_placed;
  `);
}
