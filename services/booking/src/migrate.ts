/**
 * Applies booking's migrations to its schema: the chart's `migrate` init container runs this file
 * before each pod starts; standalone mode calls `migrate` at start.
 */
import path from 'node:path';
import { migrateFromEnvironment, migrateLatest, type Knex } from '@ticketping/db';
import { SCHEMA } from './orders/orders.events.ts';

export { SCHEMA };
export const MIGRATIONS_DIRECTORY = path.resolve(import.meta.dirname, '../migrations');

export function migrate(knex: Knex): Promise<string[]> {
  return migrateLatest(knex, { directory: MIGRATIONS_DIRECTORY, schema: SCHEMA });
}

if (import.meta.main) await migrateFromEnvironment({ schema: SCHEMA, directory: MIGRATIONS_DIRECTORY });
