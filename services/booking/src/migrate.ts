/**
 * Applies booking's migrations to its schema: the Helm hook Job runs this file before an install
 * or upgrade; standalone mode calls `migrateBooking` at start.
 */
import path from 'node:path';
import { createDb, migrateLatest, type Knex } from '@ticketping/db';
import { createLogger } from '@ticketping/logger';
import { loadBookingConfig } from './config.ts';
import { SCHEMA } from './orders/orders.events.ts';

export { SCHEMA };
export const MIGRATIONS_DIRECTORY = path.resolve(import.meta.dirname, '../migrations');

export function migrateBooking(knex: Knex): Promise<string[]> {
  return migrateLatest(knex, { directory: MIGRATIONS_DIRECTORY, schema: SCHEMA });
}

if (import.meta.main) {
  const config = loadBookingConfig();
  const logger = createLogger({ service: 'booking', level: config.LOG_LEVEL });
  const knex = createDb({ url: config.DATABASE_URL, schema: SCHEMA, poolMax: 1 });
  try {
    const applied = await migrateBooking(knex);
    logger.info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
  } finally {
    await knex.destroy();
  }
}
