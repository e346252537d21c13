/**
 * Applies payment's migrations to its schema: the Helm hook Job runs this file before an install
 * or upgrade; standalone mode calls `migrate` at start.
 */
import path from 'node:path';
import { migrateFromEnvironment, migrateLatest, type Knex } from '@ticketping/db';
import { SCHEMA } from './payments/payments.events.ts';

export { SCHEMA };
export const MIGRATIONS_DIRECTORY = path.resolve(import.meta.dirname, '../migrations');

export function migrate(knex: Knex): Promise<string[]> {
  return migrateLatest(knex, { directory: MIGRATIONS_DIRECTORY, schema: SCHEMA });
}

if (import.meta.main) await migrateFromEnvironment({ schema: SCHEMA, directory: MIGRATIONS_DIRECTORY });
