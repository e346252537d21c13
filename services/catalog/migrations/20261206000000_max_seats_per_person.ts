import type { Knex } from '@ticketping/db';

/**
 * Seats one fan may hold over every schedule and order of a performance. Null means "as many as
 * one order" (max_seats_per_order), so a performance created before this column keeps that limit.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table performances add column max_seats_per_person integer
    constraint performances_max_seats_per_person check (max_seats_per_person between 1 and 100)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table performances drop column max_seats_per_person');
}
