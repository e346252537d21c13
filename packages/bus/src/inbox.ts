import type { Knex } from 'knex';
import { assertSchemaName } from './outbox.ts';
import type { BusEvent } from './types.ts';

/** `<schema>.inbox`: the events each consumer has applied, keyed by (consumer, event id). */
export async function createInboxTable(knex: Knex, schema: string): Promise<void> {
  assertSchemaName(schema);
  await knex.schema.createSchemaIfNotExists(schema);
  await knex.schema.withSchema(schema).createTable('inbox', (t) => {
    t.text('consumer').notNullable();
    t.uuid('event_id').notNullable();
    t.timestamp('handled_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['consumer', 'event_id']);
  });
}

/** For a service's knex migration file: `export const { up, down } = inboxMigration('booking');` */
export function inboxMigration(schema: string): { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> } {
  return {
    up: (knex) => createInboxTable(knex, schema),
    down: (knex) => knex.schema.withSchema(schema).dropTableIfExists('inbox'),
  };
}

/**
 * Applies an event at most once per consumer: the inbox row and the handler's writes commit
 * together or not at all. The insert comes first, so a concurrent redelivery of the same event
 * waits on the primary key and then sees it as a duplicate; if `apply` throws, nothing is
 * recorded and the bus retries. Return the result from a bus handler to count duplicates.
 */
export async function handleOnce(
  knex: Knex,
  schema: string,
  consumer: string,
  event: Pick<BusEvent, 'id'>,
  apply: (trx: Knex.Transaction) => Promise<void>,
): Promise<'applied' | 'duplicate'> {
  return knex.transaction(async (trx) => {
    const inserted = await trx(`${schema}.inbox`).insert({ consumer, event_id: event.id }).onConflict(['consumer', 'event_id']).ignore().returning('event_id');
    if (inserted.length === 0) return 'duplicate';
    await apply(trx);
    return 'applied';
  });
}
