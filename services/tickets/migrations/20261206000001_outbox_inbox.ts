import type { Knex } from '@ticketping/db';
import { createInboxTable, createOutboxTable, dropOutboxTable } from '@ticketping/bus';

/** The transactional outbox for the tickets service's events and the inbox of the ones it consumed. */
export async function up(knex: Knex): Promise<void> {
  await createOutboxTable(knex, 'tickets');
  await createInboxTable(knex, 'tickets');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('tickets').dropTableIfExists('inbox');
  await dropOutboxTable(knex, 'tickets');
}
