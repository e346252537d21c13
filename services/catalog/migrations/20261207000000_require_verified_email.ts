import type { Knex } from '@ticketping/db';

/**
 * Whether the waiting room admits only accounts with a confirmed e-mail address. Off for the
 * performances created before the column: their fans were never asked to confirm.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table performances add column require_verified_email boolean not null default false');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table performances drop column require_verified_email');
}
