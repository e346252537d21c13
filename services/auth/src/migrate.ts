/**
 * Applies auth's migrations to the `auth` schema. Standalone calls `migrate(db)`; the Helm hook
 * Job runs this file: `DATABASE_URL=… node --conditions=source src/migrate.ts`.
 */
import path from 'node:path';
import { loadConfig, z } from '@ticketping/config';
import { createDb, migrateLatest, type Knex } from '@ticketping/db';

export const SCHEMA = 'auth';
export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../migrations');

export function migrate(db: Knex): Promise<string[]> {
  return migrateLatest(db, { directory: MIGRATIONS_DIR, schema: SCHEMA });
}

if (import.meta.main) {
  const { DATABASE_URL } = loadConfig(z.object({ DATABASE_URL: z.string().min(1) }));
  const db = createDb({ url: DATABASE_URL, schema: SCHEMA, poolMax: 1 });
  try {
    const applied = await migrate(db);
    process.stdout.write(`auth migrations: ${applied.length ? applied.join(', ') : 'up to date'}\n`);
  } finally {
    await db.destroy();
  }
}
