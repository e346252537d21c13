import type { Knex } from '@ticketping/db';

/**
 * The order reconciler's bookkeeping on a SUCCEEDED payment whose order is not CONFIRMED: how
 * often payment.succeeded was announced again, and when it may be next (growing pauses).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table payments
      add column reconcile_attempts integer not null default 0,
      add column next_reconcile_at timestamptz;
    create index payments_succeeded_unrefunded on payments (updated_at) where status = 'SUCCEEDED' and refund_requested_at is null;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index payments_succeeded_unrefunded;
    alter table payments drop column next_reconcile_at, drop column reconcile_attempts;
  `);
}
