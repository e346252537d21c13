import knex, { type Knex } from 'knex';
import { randomPrefix, testEnv } from '@ticketping/testing';
import { createInboxTable, createOutboxTable } from '../src/index.ts';

export interface FreshDatabase {
  db: Knex;
  url: string;
  /** A new schema holding an outbox and an inbox, so tests never see each other's rows. */
  newSchema(): Promise<string>;
  drop(): Promise<void>;
}

/** A database of its own on the test environment's Postgres, dropped by `drop()`. */
export async function freshDatabase(label: string): Promise<FreshDatabase> {
  const name = randomPrefix(label);
  const server = knex({ client: 'pg', connection: testEnv.postgresUrl, pool: { min: 0, max: 1 } });
  await server.raw('CREATE DATABASE ??', [name]);
  const url = new URL(testEnv.postgresUrl);
  url.pathname = `/${name}`;
  const db = knex({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 10 } });
  return {
    db,
    url: url.toString(),
    async newSchema() {
      const schema = randomPrefix('s');
      await createOutboxTable(db, schema);
      await createInboxTable(db, schema);
      return schema;
    },
    async drop() {
      await db.destroy();
      await server.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
      await server.destroy();
    },
  };
}
