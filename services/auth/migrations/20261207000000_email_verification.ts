import type { Knex } from 'knex';

/**
 * E-mail verification. `users.email_verified_at` is set once the fan follows the link. Each
 * verification mail is a row of `email_verifications`, written in the transaction that creates
 * the account (or asks for a resend): the row is the mail's outbox, so a crash between sign-up and
 * sending loses no mail, and a row is sent by one replica at a time (FOR UPDATE SKIP LOCKED).
 * Only the token's SHA-256 is kept for good; the token itself stays until the mail went out,
 * since the mail has to carry it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table users add column email_verified_at timestamptz;
    create table email_verifications (
      id uuid primary key,
      user_id uuid not null references users(id) on delete cascade,
      email text not null,
      token_hash text not null unique,
      token text,
      expires_at timestamptz not null,
      used_at timestamptz,
      created_at timestamptz not null default now(),
      attempts int not null default 0,
      next_attempt_at timestamptz not null default now(),
      sent_at timestamptz,
      failed_at timestamptz,
      last_error text
    );
    create index email_verifications_due on email_verifications (next_attempt_at) where sent_at is null and failed_at is null;
    create index email_verifications_user on email_verifications (user_id, created_at);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table email_verifications; alter table users drop column email_verified_at;');
}
