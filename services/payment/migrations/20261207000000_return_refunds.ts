import type { Knex } from '@ticketping/db';

/**
 * Refunds of returned tickets whose seat was resold (issue 20): one row per return (primary key),
 * so however often `return.sold` is delivered the seller is refunded once; the provider's
 * idempotency key is `return-<returnId>` as well. `amount` is what goes back (the price paid minus
 * the fee), `price` what the resold seat cost, subtracted from a later refund of the whole payment.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table return_refunds (
      return_id uuid primary key,
      payment_id uuid not null references payments (id),
      order_id uuid not null,
      user_id text not null,
      price bigint not null check (price >= 0),
      amount bigint not null check (amount >= 0 and amount <= price),
      currency char(3) not null,
      status text not null default 'PENDING' check (status in ('PENDING', 'REFUNDED', 'CANCELLED')),
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default now(),
      created_at timestamptz not null default now(),
      refunded_at timestamptz
    );
    create index return_refunds_due on return_refunds (next_attempt_at) where status = 'PENDING';
    create index return_refunds_payment on return_refunds (payment_id);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table return_refunds;');
}
