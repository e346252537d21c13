import { createStatusGuard, dropStatusGuardFunction, dropStatusGuardTrigger, type Knex, type StatusGuard } from '@ticketping/db';

/** As applied: a later change of a return's life is a new migration. */
export const RETURN_STATUS: StatusGuard = {
  table: 'seat_returns',
  entity: 'return',
  initial: 'LISTED',
  transitions: { LISTED: ['SOLD', 'WITHDRAWN'], SOLD: ['REFUNDED'] },
};

/**
 * Face-value returns (issue 20). A returned seat keeps its `seat_holds` row: it stays with the
 * seller's confirmed order until a waitlisted fan's order for it is confirmed, and while it is
 * offered or being paid for, the offer or that order owns it, as for any seat that came back. So
 * the one-owner rule of `seat_holds` still says that a seat is never in two offers or holds.
 * - one live return per ticket, one listing per seat (partial unique indexes);
 * - `refund` is `price` − `fee` (check): there is no asking price anywhere;
 * - a return moves only LISTED → SOLD | WITHDRAWN, SOLD → REFUNDED (trigger).
 * `ticket_copies` is booking's copy of the tickets service's tickets (its events), so booking can
 * say whose a ticket is and whether it was used without asking another service.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table ticket_copies (
      ticket_id uuid primary key,
      order_id uuid not null,
      seat_id uuid not null,
      holder_id text not null,
      revoked boolean not null default false,
      checked_in boolean not null default false,
      updated_at timestamptz not null default now()
    );

    create table seat_returns (
      id uuid primary key,
      ticket_id uuid not null,
      order_id uuid not null references orders (id),
      payment_id uuid not null,
      user_id text not null,
      performance_id uuid not null,
      schedule_id uuid not null,
      seat_id uuid not null,
      price bigint not null check (price >= 0),
      fee bigint not null check (fee >= 0),
      refund bigint not null check (refund >= 0 and refund = price - fee),
      currency char(3) not null,
      status text not null check (status in ('LISTED', 'SOLD', 'REFUNDED', 'WITHDRAWN')),
      buyer_order_id uuid references orders (id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      sold_at timestamptz,
      refunded_at timestamptz,
      check ((status in ('SOLD', 'REFUNDED')) = (buyer_order_id is not null))
    );
    create unique index seat_returns_one_per_ticket on seat_returns (ticket_id) where status <> 'WITHDRAWN';
    create unique index seat_returns_one_listing_per_seat on seat_returns (seat_id) where status = 'LISTED';
    create index seat_returns_listed_by_schedule on seat_returns (schedule_id, created_at) where status = 'LISTED';
    create index seat_returns_by_seller on seat_returns (user_id, created_at desc);

    ${createStatusGuard(RETURN_STATUS)}

    -- The offer e-mail's outbox: written with the offer, sent by the mail outbox sender.
    create table offer_mails (
      offer_id uuid primary key references waitlist_offers (id),
      user_id text not null,
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default now(),
      sent_at timestamptz,
      failed_at timestamptz,
      last_error text,
      created_at timestamptz not null default now()
    );
    create index offer_mails_due on offer_mails (next_attempt_at) where sent_at is null and failed_at is null;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table offer_mails;
    ${dropStatusGuardTrigger(RETURN_STATUS)}
    drop table seat_returns;
    ${dropStatusGuardFunction(RETURN_STATUS)}
    drop table ticket_copies;
  `);
}
