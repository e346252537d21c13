import type { Knex } from '@ticketping/db';
import { createInboxTable, createOutboxTable, dropOutboxTable } from '@ticketping/bus';

/** The transactional outbox for the events catalog publishes, and the inbox of the ones it consumed. */
export async function up(knex: Knex): Promise<void> {
  await createOutboxTable(knex, 'catalog');
  await createInboxTable(knex, 'catalog');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('catalog').dropTableIfExists('inbox');
  await dropOutboxTable(knex, 'catalog');
}
