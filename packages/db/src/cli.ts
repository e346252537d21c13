#!/usr/bin/env -S node --conditions=source
/**
 * Migrations from the command line:
 *   DATABASE_URL=postgres://… node src/cli.ts latest|rollback --schema booking --dir services/booking/migrations
 */
import path from 'node:path';
import { createDb } from './db.ts';
import { migrateLatest, migrateRollback } from './migrate.ts';

const [command = 'latest', ...rest] = process.argv.slice(2);
const flag = (name: string) => {
  const i = rest.indexOf(`--${name}`);
  return i === -1 ? undefined : rest[i + 1];
};
const schema = flag('schema');
const dir = flag('dir');
const url = process.env.DATABASE_URL;
if (!schema || !dir || !url || !['latest', 'rollback'].includes(command)) {
  process.stderr.write('usage: DATABASE_URL=… cli.ts latest|rollback --schema <schema> --dir <migrations folder>\n');
  process.exitCode = 2;
} else {
  const knex = createDb({ url, schema, poolMax: 1 });
  try {
    const run = command === 'latest' ? migrateLatest : migrateRollback;
    const names = await run(knex, { directory: path.resolve(dir), schema });
    process.stdout.write(`${command}: ${names.length ? names.join(', ') : 'nothing to do'}\n`);
  } finally {
    await knex.destroy();
  }
}
