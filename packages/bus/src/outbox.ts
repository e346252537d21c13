import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { injectTraceHeaders } from '@ticketping/telemetry';
import type { BusEvent } from './types.ts';

/** Schema names reach raw SQL (trigger, channel); only plain identifiers are accepted. */
export function assertSchemaName(schema: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new TypeError(`invalid schema name ${JSON.stringify(schema)}: lower-case letters, digits and _ only`);
}

/** The channel the outbox trigger notifies, so a listening relay wakes before its next poll. */
export function outboxChannel(schema: string): string {
  return `${schema}_outbox`;
}

/**
 * `<schema>.outbox`: one row per event written in the same transaction as the state change.
 * `seq` gives a total creation order (rows of one transaction share `created_at` precision);
 * the partial index keeps the relay's "oldest pending first" scan cheap however many rows are
 * published. A statement trigger sends NOTIFY at commit.
 */
export async function createOutboxTable(knex: Knex, schema: string): Promise<void> {
  assertSchemaName(schema);
  await knex.schema.createSchemaIfNotExists(schema);
  await knex.schema.withSchema(schema).createTable('outbox', (t) => {
    t.uuid('id').primary();
    t.bigIncrements('seq', { primaryKey: false });
    t.text('topic').notNullable();
    t.text('type').notNullable();
    t.text('key').notNullable();
    t.jsonb('payload').notNullable();
    t.jsonb('headers').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('published_at', { useTz: true }).nullable();
    t.index(['seq'], 'outbox_pending_idx', { predicate: knex.whereNull('published_at') });
  });
  await knex.raw(
    `CREATE FUNCTION ??.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('${outboxChannel(schema)}', ''); RETURN NULL; END $$`,
    [schema],
  );
  await knex.raw('CREATE TRIGGER outbox_notify AFTER INSERT ON ??.outbox FOR EACH STATEMENT EXECUTE FUNCTION ??.outbox_notify()', [schema, schema]);
}

export async function dropOutboxTable(knex: Knex, schema: string): Promise<void> {
  assertSchemaName(schema);
  await knex.schema.withSchema(schema).dropTableIfExists('outbox');
  await knex.raw('DROP FUNCTION IF EXISTS ??.outbox_notify()', [schema]);
}

/** For a service's knex migration file: `export const { up, down } = outboxMigration('booking');` */
export function outboxMigration(schema: string): { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> } {
  return { up: (knex) => createOutboxTable(knex, schema), down: (knex) => dropOutboxTable(knex, schema) };
}

export interface OutboxMessage<T = unknown> {
  topic: string;
  type: string;
  /** The aggregate id (order id, payment id): events of one key are published in order. */
  key: string;
  payload: T;
  headers?: Record<string, string>;
}

/**
 * Writes an event in the caller's transaction: it is published if and only if that transaction
 * commits. The active trace context is captured so consumers continue the request's trace.
 */
export async function enqueue<T>(trx: Knex.Transaction, schema: string, message: OutboxMessage<T>): Promise<BusEvent<T>> {
  if (!trx.isTransaction) throw new TypeError('enqueue needs the transaction of the state change (knex.transaction(...))');
  const event: BusEvent<T> = {
    id: randomUUID(),
    type: message.type,
    key: message.key,
    payload: message.payload,
    occurredAt: new Date().toISOString(),
    headers: injectTraceHeaders({ ...message.headers }),
  };
  await trx(`${schema}.outbox`).insert({
    id: event.id,
    topic: message.topic,
    type: event.type,
    key: event.key,
    // Stringified by hand: pg would turn a top-level array into a Postgres array literal.
    payload: JSON.stringify(event.payload ?? null),
    headers: JSON.stringify(event.headers),
    created_at: event.occurredAt,
  });
  return event;
}
