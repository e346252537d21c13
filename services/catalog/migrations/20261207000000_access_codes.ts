import type { Knex } from '@ticketping/db';

/**
 * Presale access codes and who used them (issue 14). Uses are counted by the database: a use is a
 * row in `access_code_uses` (one per code and fan, so entering again counts nothing) and
 * `access_codes.uses` can never pass `max_uses` (a check, and the conditional update that counts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('access_codes', (t) => {
    t.uuid('id').primary();
    t.uuid('performance_id').notNullable().references('id').inTable('performances').onDelete('CASCADE');
    t.text('code').notNullable();
    t.text('lane').notNullable();
    t.integer('max_uses').notNullable();
    t.integer('uses').notNullable().defaultTo(0);
    t.timestamp('valid_from', { useTz: true }).notNullable();
    t.timestamp('valid_until', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['performance_id', 'code']);
    t.check("?? in ('PRESALE', 'PRIORITY')", ['lane'], 'access_codes_lane');
    t.check('?? >= 1', ['max_uses'], 'access_codes_max_uses');
    t.check('?? between 0 and ??', ['uses', 'max_uses'], 'access_codes_uses');
    t.check('?? < ??', ['valid_from', 'valid_until'], 'access_codes_window');
  });
  await knex.schema.createTable('access_code_uses', (t) => {
    t.uuid('code_id').notNullable().references('id').inTable('access_codes').onDelete('CASCADE');
    t.text('user_id').notNullable();
    t.timestamp('used_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['code_id', 'user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('access_code_uses');
  await knex.schema.dropTable('access_codes');
}
