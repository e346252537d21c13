import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Knex } from 'knex';
import { eventually } from '@ticketping/testing';
import { handleOnce } from '../src/index.ts';
import { freshDatabase, type FreshDatabase } from './fresh-database.ts';

let database: FreshDatabase;
let schema: string;

test.before(async () => {
  database = await freshDatabase('bus_inbox');
  schema = await database.newSchema();
  await database.db.schema.withSchema(schema).createTable('seats_sold', (t) => {
    t.uuid('event_id').notNullable(); // not unique on purpose: a second apply would show
  });
});

test.after(async () => {
  await database.drop();
});

const sell = (eventId: string) => async (trx: Knex.Transaction) => void (await trx(`${schema}.seats_sold`).insert({ event_id: eventId }));
const applied = async (eventId: string) => (await database.db(`${schema}.seats_sold`).where({ event_id: eventId })).length;
const recorded = async (eventId: string) => (await database.db(`${schema}.inbox`).where({ event_id: eventId })).length;

test('an event is applied once per consumer; a redelivery is reported as a duplicate', async () => {
  const event = { id: randomUUID() };
  assert.is(await handleOnce(database.db, schema, 'booking', event, sell(event.id)), 'applied');
  assert.is(await handleOnce(database.db, schema, 'booking', event, sell(event.id)), 'duplicate');
  assert.is(await handleOnce(database.db, schema, 'catalog', event, sell(event.id)), 'applied', 'another consumer applies it too');
  assert.is(await applied(event.id), 2);
});

test('a handler that throws leaves nothing behind, so the retry applies the event', async () => {
  const event = { id: randomUUID() };
  try {
    await handleOnce(database.db, schema, 'booking', event, async (trx) => {
      await sell(event.id)(trx);
      throw new Error('payment service timed out');
    });
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.match((error as Error).message, 'payment service timed out');
  }
  assert.is(await applied(event.id), 0, 'the handler write was rolled back');
  assert.is(await recorded(event.id), 0, 'the inbox row was rolled back');
  assert.is(await handleOnce(database.db, schema, 'booking', event, sell(event.id)), 'applied');
  assert.is(await applied(event.id), 1);
});

test('two concurrent deliveries of one event: one applies it, the other waits for it and is a duplicate', async () => {
  const event = { id: randomUUID() };
  let firstInside = false;
  let secondApplied = false;
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const first = handleOnce(database.db, schema, 'booking', event, async (trx) => {
    await sell(event.id)(trx);
    firstInside = true;
    await gate;
  });
  await eventually(() => firstInside);
  const second = handleOnce(database.db, schema, 'booking', event, async (trx) => {
    secondApplied = true;
    await sell(event.id)(trx);
  });
  // The second delivery's inbox insert is blocked on the first one's uncommitted row.
  await eventually(async () => {
    const { rows } = await database.db.raw<{ rows: { waiting: number }[] }>(
      "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    return rows[0]?.waiting === 1;
  });
  release();
  assert.equal(await Promise.all([first, second]), ['applied', 'duplicate']);
  assert.is(secondApplied, false);
  assert.is(await applied(event.id), 1);
});

test.run();
