/**
 * Applies catalog's migrations to its schema: the Helm hook Job runs this file before an install
 * or upgrade; standalone mode calls `migrateCatalog` at start.
 */
import path from 'node:path';
import { createDb, migrateLatest, type Knex } from '@ticketping/db';
import { createLogger } from '@ticketping/logger';
import { loadConfig } from './config.ts';

/** Catalog's Postgres schema: its tables live there and it reads no other. */
export const SCHEMA = 'catalog';
export const MIGRATIONS_DIRECTORY = path.resolve(import.meta.dirname, '../migrations');

export function migrateCatalog(knex: Knex): Promise<string[]> {
  return migrateLatest(knex, { directory: MIGRATIONS_DIRECTORY, schema: SCHEMA });
}

if (import.meta.main) {
  const config = loadConfig();
  const logger = createLogger({ service: 'catalog', level: config.LOG_LEVEL });
  const knex = createDb({ url: config.DATABASE_URL, schema: SCHEMA, poolMax: 1 });
  try {
    const applied = await migrateCatalog(knex);
    logger.info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
  } finally {
    await knex.destroy();
  }
}
