/**
 * migrateFromEnvironment as the chart runs it: in an init container before every pod of a service,
 * so several pods of one service migrate the same schema at once, and an older image (a rollback)
 * meets a schema a newer one migrated.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomPrefix, testEnv } from '@ticketping/testing';
import { createDb, migrateFromEnvironment, migrateLatest } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

const directory = path.join(import.meta.dirname, 'migrations');
let db: TestDatabase;
let scratch = '';

test.before(async () => {
  db = await createTestDatabase(testEnv.postgresUrl, [{ directory, schema: 'widgets_svc' }]);
  scratch = await mkdtemp(path.join(os.tmpdir(), 'ticketping-migrate-'));
});

test.after(async () => {
  await db?.drop();
  await rm(scratch, { recursive: true, force: true });
});

test('pods starting together each run the migrations: all succeed, one applies them, the others find them done', async () => {
  const schema = randomPrefix('pods');
  const runs = await Promise.all(Array.from({ length: 5 }, () => migrateFromEnvironment({ schema, directory }, { DATABASE_URL: db.url })));
  assert.equal(runs.filter((applied) => applied.length > 0), [['20260101000000_widgets']]);
  const rows = await db.knex.raw('select count(*)::int as n from ??.widgets', [schema]);
  assert.is(rows.rows[0].n, 0);
});

test('an older image starts on a schema a newer one migrated (a rollback); plain migrateLatest refuses it', async () => {
  const schema = randomPrefix('rollback');
  const newer = path.join(scratch, 'newer');
  const older = path.join(scratch, 'older');
  for (const dir of [newer, older]) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    await copyFile(path.join(directory, '20260101000000_widgets.ts'), path.join(dir, '20260101000000_widgets.ts'));
  }
  await writeFile(path.join(newer, '20260201000000_gadgets.ts'), [
    'export async function up(knex) { await knex.schema.createTable("gadgets", (t) => { t.text("name"); }); }',
    'export async function down(knex) { await knex.schema.dropTable("gadgets"); }', ''].join('\n'));

  assert.equal(await migrateFromEnvironment({ schema, directory: newer }, { DATABASE_URL: db.url }), ['20260101000000_widgets', '20260201000000_gadgets']);
  assert.equal(await migrateFromEnvironment({ schema, directory: older }, { DATABASE_URL: db.url }), []);
  const knex = createDb({ url: db.url, schema, poolMax: 1 });
  try {
    let refusal = '';
    await migrateLatest(knex, { directory: older, schema }).catch((error: Error) => { refusal = error.message; });
    assert.match(refusal, /migration directory is corrupt/);
  } finally {
    await knex.destroy();
  }
});

test.run();
