import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('widgets', (t) => {
    t.uuid('id').primary();
    t.text('name').notNullable().unique();
    t.bigInteger('price').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('widgets');
}
