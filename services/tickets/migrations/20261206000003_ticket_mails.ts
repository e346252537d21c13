import type { Knex } from '@ticketping/db';

/**
 * The tickets e-mail's own outbox: one row per confirmed order, written in the transaction that
 * issues the tickets, so a crash between issuing and mailing loses no mail, and the primary key
 * makes a redelivered `order.confirmed` mail nobody twice.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table ticket_mails (
      order_id uuid primary key,
      holder_id uuid not null,
      created_at timestamptz not null default now(),
      attempts int not null default 0,
      next_attempt_at timestamptz not null default now(),
      sent_at timestamptz,
      failed_at timestamptz,
      last_error text
    );
    create index ticket_mails_due on ticket_mails (next_attempt_at) where sent_at is null and failed_at is null;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table ticket_mails');
}
