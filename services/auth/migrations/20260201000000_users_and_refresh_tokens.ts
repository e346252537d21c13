import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.uuid('id').primary();
    // Stored lower-cased and trimmed, so the unique index is case-insensitive.
    t.text('email').notNullable().unique();
    t.text('nickname').notNullable();
    t.text('password_hash').notNullable();
    t.text('role').notNullable().defaultTo('USER');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw("alter table users add constraint users_role_check check (role in ('USER', 'ADMIN'))");

  // Opaque refresh tokens, stored as SHA-256 hashes. One login starts a family; each refresh marks
  // its token used and adds the next one to the family; presenting a used token revokes the family.
  await knex.schema.createTable('refresh_tokens', (t) => {
    t.uuid('id').primary();
    t.uuid('family_id').notNullable().index();
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE').index();
    t.text('token_hash').notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('refresh_tokens');
  await knex.schema.dropTable('users');
}
