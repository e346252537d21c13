import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createDb, type Knex } from './db.ts';
import { migrateLatest } from './migrate.ts';

export interface MigrationSet { directory: string; schema: string }

export interface TestDatabase {
  url: string;
  name: string;
  /** knex with `schema` (the first migration set's) on the search path. */
  knex: Knex;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** The template's name changes whenever a migration file changes, so a stale template is never used. */
function templateName(sets: MigrationSet[]): string {
  const hash = createHash('sha256');
  for (const { directory, schema } of sets) {
    hash.update(schema);
    for (const file of readdirSync(directory).sort()) hash.update(file).update(readFileSync(path.join(directory, file)));
  }
  return `tpl_${hash.digest('hex').slice(0, 16)}`;
}

async function admin<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Gives a suite its own database, cloned from a template that was migrated once (per set of
 * migration files) — cloning takes milliseconds where migrating takes seconds.
 */
export async function createTestDatabase(serverUrl: string, sets: MigrationSet[]): Promise<TestDatabase> {
  const template = templateName(sets);
  await admin(serverUrl, async (client) => {
    // Several test processes may need the same template at once: one builds it, the rest wait.
    await client.query('select pg_advisory_lock(hashtext($1))', [template]);
    try {
      const exists = await client.query('select 1 from pg_database where datname = $1', [template]);
      if (exists.rowCount) return;
      await client.query(`create database "${template}"`);
      const knex = createDb({ url: withDatabase(serverUrl, template), schema: sets[0]?.schema ?? 'public', poolMax: 1 });
      try {
        for (const set of sets) await migrateLatest(knex, set);
      } catch (error) {
        await knex.destroy();
        await client.query(`drop database "${template}"`);
        throw error;
      }
      await knex.destroy();
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', [template]);
    }
  });
  const name = `test_${randomBytes(6).toString('hex')}`;
  await admin(serverUrl, (client) => client.query(`create database "${name}" template "${template}"`));
  const url = withDatabase(serverUrl, name);
  const knex = createDb({ url, schema: sets[0]?.schema ?? 'public' });
  return {
    url,
    name,
    knex,
    drop: async () => {
      await knex.destroy();
      await admin(serverUrl, (client) => client.query(`drop database if exists "${name}" with (force)`));
    },
  };
}
