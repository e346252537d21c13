import { createIdempotencyKeysTable, createStatusGuard, dropIdempotencyKeysTable, dropStatusGuardFunction, dropStatusGuardTrigger, type Knex, type StatusGuard } from '@ticketping/db';

/** As applied: a later change of the payment's life is a new migration. */
const PAYMENT_STATUS: StatusGuard = {
  table: 'payments',
  entity: 'payment',
  initial: 'PENDING',
  transitions: { PENDING: ['SUCCEEDED', 'FAILED'], SUCCEEDED: ['REFUNDED'] },
};

/**
 * Payment's tables. The rules that protect money live in constraints:
 * - the amount is copied from booking's `order.created`, never taken from a client;
 * - an order has at most one payment PENDING or SUCCEEDED at a time (no double charge);
 * - a payment moves only PENDING → SUCCEEDED | FAILED and SUCCEEDED → REFUNDED (trigger).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- Payment's copy of booking's orders (order.created and what follows): what may be paid, by whom, how much.
    create table orders (
      order_id uuid primary key,
      user_id text not null,
      amount bigint not null check (amount >= 0),
      currency char(3) not null,
      expires_at timestamptz not null,
      status text not null,
      updated_at timestamptz not null default now()
    );

    create table payments (
      id uuid primary key,
      order_id uuid not null,
      user_id text not null,
      amount bigint not null check (amount >= 0),
      currency char(3) not null,
      status text not null check (status in ('PENDING', 'SUCCEEDED', 'FAILED', 'REFUNDED')),
      method_type text not null,
      card_last4 text,
      provider text not null,
      provider_reference text,
      failure_reason text,
      idempotency_key text not null,
      refund_requested_at timestamptz,
      refund_reason text,
      refund_attempts integer not null default 0,
      next_refund_attempt_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (user_id, idempotency_key)
    );
    create unique index payments_one_live_per_order on payments (order_id) where status in ('PENDING', 'SUCCEEDED');
    create index payments_pending on payments (updated_at) where status = 'PENDING';
    create index payments_refunds_due on payments (next_refund_attempt_at) where status = 'SUCCEEDED' and refund_requested_at is not null;

    ${createStatusGuard(PAYMENT_STATUS)}

    ${createIdempotencyKeysTable()}
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ${dropIdempotencyKeysTable()}
    ${dropStatusGuardTrigger(PAYMENT_STATUS)}
    drop table payments;
    ${dropStatusGuardFunction(PAYMENT_STATUS)}
    drop table orders;
  `);
}
