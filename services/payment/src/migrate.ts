/**
 * Applies payment's migrations to its schema: the Helm hook Job runs this file before an install
 * or upgrade; standalone mode calls `migratePayment` at start.
 */
import path from 'node:path';
import { createDb, migrateLatest, type Knex } from '@ticketping/db';
import { createLogger } from '@ticketping/logger';
import { loadPaymentConfig } from './config.ts';
import { SCHEMA } from './payments/payments.events.ts';

export { SCHEMA };
export const MIGRATIONS_DIRECTORY = path.resolve(import.meta.dirname, '../migrations');

export function migratePayment(knex: Knex): Promise<string[]> {
  return migrateLatest(knex, { directory: MIGRATIONS_DIRECTORY, schema: SCHEMA });
}

if (import.meta.main) {
  const config = loadPaymentConfig();
  const logger = createLogger({ service: 'payment', level: config.LOG_LEVEL });
  const knex = createDb({ url: config.DATABASE_URL, schema: SCHEMA, poolMax: 1 });
  try {
    const applied = await migratePayment(knex);
    logger.info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
  } finally {
    await knex.destroy();
  }
}
