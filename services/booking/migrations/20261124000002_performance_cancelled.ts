import type { Knex } from '@ticketping/db';

/** Catalog's `performance.cancelled`: the sale is off, booking takes no new holds for it. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table performances add column cancelled_at timestamptz');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table performances drop column cancelled_at');
}
