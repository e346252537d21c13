/**
 * Applies auth's migrations to the `auth` schema. Standalone calls `migrate(db)`; the chart's
 * `migrate` init container runs this file: `DATABASE_URL=… node --conditions=source src/migrate.ts`.
 */
import path from 'node:path';
import { migrateFromEnvironment, migrateLatest, type Knex } from '@ticketping/db';

export const SCHEMA = 'auth';
export const MIGRATIONS_DIRECTORY = path.resolve(import.meta.dirname, '../migrations');

export function migrate(db: Knex): Promise<string[]> {
  return migrateLatest(db, { directory: MIGRATIONS_DIRECTORY, schema: SCHEMA });
}

if (import.meta.main) await migrateFromEnvironment({ schema: SCHEMA, directory: MIGRATIONS_DIRECTORY });
