import type { Knex } from '@ticketping/db';
import { createInboxTable, createOutboxTable, dropOutboxTable } from '@ticketping/bus';

/** The transactional outbox for payment's events and the inbox of the ones it consumed. */
export async function up(knex: Knex): Promise<void> {
  await createOutboxTable(knex, 'payment');
  await createInboxTable(knex, 'payment');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('payment').dropTableIfExists('inbox');
  await dropOutboxTable(knex, 'payment');
}
