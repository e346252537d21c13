import type { Knex } from '@ticketping/db';

/**
 * The catalog: performances with their schedules, price grades and sections; one seat row per
 * (schedule, section, row, number). A seat's status is derived from `seat_claims` (one row per
 * order that touched the seat, see src/seats/seat-claims.repo.ts) and stored on the seat for fast reads.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('performances', (t) => {
    t.uuid('id').primary();
    t.text('title').notNullable();
    t.text('venue').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.timestamp('booking_opens_at', { useTz: true }).notNullable();
    t.timestamp('booking_closes_at', { useTz: true }).notNullable();
    t.integer('max_seats_per_order').notNullable();
    t.integer('queue_capacity').notNullable();
    t.integer('queue_admit_per_minute').notNullable();
    t.boolean('sold_out').notNullable().defaultTo(false);
    t.timestamp('cancelled_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('?? < ??', ['booking_opens_at', 'booking_closes_at'], 'performances_booking_window');
    t.check('?? between 1 and 20', ['max_seats_per_order'], 'performances_max_seats_per_order');
    // The public list pages through (booking_opens_at, id).
    t.index(['booking_opens_at', 'id'], 'performances_list_order');
  });

  await knex.schema.createTable('schedules', (t) => {
    t.uuid('id').primary();
    t.uuid('performance_id').notNullable().references('id').inTable('performances').onDelete('CASCADE');
    t.timestamp('starts_at', { useTz: true }).notNullable();
    t.unique(['performance_id', 'starts_at']);
  });

  await knex.schema.createTable('grades', (t) => {
    t.uuid('performance_id').notNullable().references('id').inTable('performances').onDelete('CASCADE');
    t.text('name').notNullable();
    t.bigInteger('price').notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.integer('position').notNullable();
    t.primary(['performance_id', 'name']);
    t.check('?? >= 0', ['price'], 'grades_price_not_negative');
  });

  await knex.schema.createTable('sections', (t) => {
    t.uuid('id').primary();
    t.uuid('performance_id').notNullable();
    t.text('name').notNullable();
    t.text('grade').notNullable();
    t.integer('rows').notNullable();
    t.integer('seats_per_row').notNullable();
    t.integer('position').notNullable();
    t.unique(['performance_id', 'name']);
    t.foreign(['performance_id', 'grade']).references(['performance_id', 'name']).inTable('grades').onDelete('CASCADE');
  });

  await knex.schema.createTable('seats', (t) => {
    t.uuid('id').primary();
    t.uuid('schedule_id').notNullable().references('id').inTable('schedules').onDelete('CASCADE');
    t.uuid('section_id').notNullable().references('id').inTable('sections').onDelete('CASCADE');
    t.integer('row').notNullable();
    t.integer('number').notNullable();
    t.text('status').notNullable().defaultTo('AVAILABLE');
    t.check("?? in ('AVAILABLE', 'HELD', 'SOLD')", ['status'], 'seats_status');
    // Also the seat map's read path: one schedule, in section/row/number order.
    t.unique(['schedule_id', 'section_id', 'row', 'number']);
  });

  await knex.schema.createTable('seat_claims', (t) => {
    t.uuid('seat_id').notNullable().references('id').inTable('seats').onDelete('CASCADE');
    t.uuid('order_id').notNullable();
    t.text('state').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['seat_id', 'order_id']);
    t.check("?? in ('HELD', 'SOLD', 'RELEASED')", ['state'], 'seat_claims_state');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['seat_claims', 'seats', 'sections', 'grades', 'schedules', 'performances']) await knex.schema.dropTable(table);
}
