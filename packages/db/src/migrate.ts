import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { createDb } from './db.ts';

interface Migration {
  up(knex: Knex): Promise<void>;
  down?(knex: Knex): Promise<void>;
}

/**
 * Lists migration files ourselves and loads them with `import()`, so the same folder works as
 * TypeScript in development and as built JavaScript in images. Names sort by their date prefix.
 */
function migrationSource(directory: string): Knex.MigrationSource<string> {
  return {
    getMigrations: async () =>
      readdirSync(directory)
        .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !f.includes('.test.'))
        .sort(),
    // The name without extension, so a migration keeps its identity from .ts to the built .js.
    getMigrationName: (file) => file.replace(/\.(ts|js)$/, ''),
    getMigration: async (file) => (await import(pathToFileURL(path.join(directory, file)).href)) as Migration,
  };
}

/**
 * Creates the schema when missing and applies pending migrations; returns their names.
 * `allowNewerSchema`: a schema that has migrations this directory does not know (an older image
 * after an upgrade migrated it, as on a rollback) is left as it is instead of refused.
 */
export async function migrateLatest(knex: Knex, { directory, schema, allowNewerSchema = false }: { directory: string; schema: string; allowNewerSchema?: boolean }): Promise<string[]> {
  await knex.raw('create schema if not exists ??', [schema]);
  const [, applied] = (await knex.migrate.latest({
    migrationSource: migrationSource(directory),
    schemaName: schema,
    tableName: 'knex_migrations',
    disableMigrationsListValidation: allowNewerSchema,
  })) as [number, string[]];
  return applied;
}

export async function migrateRollback(knex: Knex, { directory, schema }: { directory: string; schema: string }): Promise<string[]> {
  const [, rolledBack] = (await knex.migrate.rollback({ migrationSource: migrationSource(directory), schemaName: schema, tableName: 'knex_migrations' })) as [number, string[]];
  return rolledBack;
}

/**
 * The body of every service's `migrate.ts` when run as a program (the chart's init container runs
 * `node dist/migrate.js` before each pod of the service starts): reads only `DATABASE_URL`.
 * Pods start together (an install, a scale-up), so the runs take turns on an advisory lock per
 * schema: knex's own lock table would make every run but one fail. An image older than the schema
 * (a rollback) starts on it unchanged.
 */
export async function migrateFromEnvironment({ schema, directory }: { schema: string; directory: string }, env: Record<string, string | undefined> = process.env): Promise<string[]> {
  const url = env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required to run migrations');
  // One connection: the session that holds the lock is the one that migrates. No statement
  // timeout, since waiting for the lock may outlast one (the chart's probes and deadline bound it).
  const knex = createDb({ url, schema, poolMax: 1, statementTimeoutMs: 0 });
  try {
    await knex.raw('select pg_advisory_lock(hashtext(?))', [`ticketping.migrate.${schema}`]);
    const applied = await migrateLatest(knex, { directory, schema, allowNewerSchema: true });
    process.stdout.write(`${schema} migrations: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}\n`);
    return applied;
  } finally {
    await knex.destroy();
  }
}
