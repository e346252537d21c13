import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomPrefix, testEnv } from '@ticketping/testing';
import { createDb, migrateLatest, pingDb } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

const directory = path.join(import.meta.dirname, 'migrations');
const schema = 'widgets_svc';
const opened: TestDatabase[] = [];

test.after(async () => {
  await Promise.all(opened.map((db) => db.drop()));
});

test('each suite gets its own migrated database, cloned from one template', async () => {
  const [a, b] = await Promise.all([createTestDatabase(testEnv.postgresUrl, [{ directory, schema }]), createTestDatabase(testEnv.postgresUrl, [{ directory, schema }])]);
  opened.push(a!, b!);
  assert.is.not(a!.name, b!.name);
  await a!.knex('widgets').insert({ id: randomUUID(), name: 'only in a', price: 1500 });
  assert.equal(await a!.knex('widgets').select('name', 'price'), [{ name: 'only in a', price: 1500 }], 'bigint comes back as a number');
  assert.equal(await b!.knex('widgets').select('name'), []);
  const tables = await a!.knex.raw("select table_schema from information_schema.tables where table_name = 'widgets'");
  assert.equal(tables.rows, [{ table_schema: schema }], 'tables live in the service schema');
});

test('migrateLatest is idempotent and the schema comes first on the search path', async () => {
  const db = await createTestDatabase(testEnv.postgresUrl, [{ directory, schema }]);
  opened.push(db);
  const again = createDb({ url: db.url, schema });
  assert.equal(await migrateLatest(again, { directory, schema }), []);
  await pingDb(again);
  await again.destroy();
});

test('the CLI applies migrations to a fresh database', async () => {
  const db = await createTestDatabase(testEnv.postgresUrl, [{ directory, schema }]);
  opened.push(db);
  const other = randomPrefix('cli');
  const cli = path.join(import.meta.dirname, '../src/cli.ts');
  const run = (cmd: string) => promisify(execFile)(process.execPath, ['--conditions=source', cli, cmd, '--schema', other, '--dir', directory], { env: { ...process.env, DATABASE_URL: db.url } });
  assert.match((await run('latest')).stdout, /latest: 20260101000000_widgets/);
  assert.match((await run('latest')).stdout, /nothing to do/);
  const rows = await db.knex.raw('select count(*)::int as n from ??.widgets', [other]);
  assert.is(rows.rows[0].n, 0);
  assert.match((await run('rollback')).stdout, /rollback: 20260101000000_widgets/);
});

test.run();
