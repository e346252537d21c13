import type { Knex } from '@ticketping/db';

/**
 * The waitlist of a sold-out schedule and the offers made from it (issue 20). The rules that
 * matter live in constraints, as for holds:
 * - one waiting entry per fan and schedule (partial unique index), in `position` order;
 * - a seat held for an offer is a `seat_holds` row owned by the offer instead of an order, so the
 *   same primary key that keeps a seat in one order keeps it out of two offers, or an offer and
 *   an order: exactly one owner per row (check);
 * - an entry has at most one open offer (partial unique index).
 * `claim_seconds` is stamped on the entry at join time, so the transaction that hands a returned
 * seat over (any path that releases seats) needs no configuration to date the offer.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table waitlist_entries (
      id uuid primary key,
      position bigint generated always as identity,
      schedule_id uuid not null references schedules (schedule_id),
      performance_id uuid not null,
      user_id text not null,
      seats_wanted integer not null check (seats_wanted > 0),
      claim_seconds integer not null check (claim_seconds > 0),
      status text not null check (status in ('WAITING', 'OFFERED', 'CLAIMED', 'LEFT', 'LAPSED')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create unique index waitlist_one_entry_per_fan on waitlist_entries (user_id, schedule_id)
      where status in ('WAITING', 'OFFERED');
    create index waitlist_waiting_in_order on waitlist_entries (schedule_id, position) where status = 'WAITING';
    create index waitlist_entries_by_fan on waitlist_entries (user_id, created_at desc);

    create table waitlist_offers (
      id uuid primary key,
      entry_id uuid not null references waitlist_entries (id),
      schedule_id uuid not null,
      performance_id uuid not null,
      user_id text not null,
      -- Where the seats came from ('order.expired', 'order.refunded', 'offer.expired', ...).
      source text not null,
      seat_ids uuid[] not null check (cardinality(seat_ids) > 0),
      status text not null check (status in ('OPEN', 'CLAIMED', 'EXPIRED', 'DECLINED', 'WITHDRAWN')),
      expires_at timestamptz not null,
      order_id uuid,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create unique index waitlist_one_open_offer_per_entry on waitlist_offers (entry_id) where status = 'OPEN';
    create index waitlist_open_offers_by_expiry on waitlist_offers (expires_at) where status = 'OPEN';
    create index waitlist_offers_by_fan on waitlist_offers (user_id, created_at desc);

    alter table seat_holds alter column order_id drop not null;
    alter table seat_holds add column offer_id uuid references waitlist_offers (id);
    alter table seat_holds add constraint seat_holds_one_owner check (num_nonnulls(order_id, offer_id) = 1);
    create index seat_holds_offer on seat_holds (offer_id) where offer_id is not null;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    delete from seat_holds where offer_id is not null;
    drop index seat_holds_offer;
    alter table seat_holds drop constraint seat_holds_one_owner;
    alter table seat_holds drop column offer_id;
    alter table seat_holds alter column order_id set not null;
    drop table waitlist_offers;
    drop table waitlist_entries;
  `);
}
