import type { Knex } from 'knex';

// A refresh retried within a short grace (its response was lost) answers the pair it already
// issued. That pair is kept here, sealed with a key derived from the refresh token that was used:
// only a caller who presents that token again can open it, and the database alone reveals nothing.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('refresh_tokens', (t) => {
    t.text('grace_pair');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('refresh_tokens', (t) => {
    t.dropColumn('grace_pair');
  });
}
