import type { Knex } from '@ticketping/db';
import { createInboxTable, createOutboxTable, dropOutboxTable } from '@ticketping/bus';

/** The transactional outbox for booking's events and the inbox of the ones it consumed. */
export async function up(knex: Knex): Promise<void> {
  await createOutboxTable(knex, 'booking');
  await createInboxTable(knex, 'booking');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('booking').dropTableIfExists('inbox');
  await dropOutboxTable(knex, 'booking');
}
