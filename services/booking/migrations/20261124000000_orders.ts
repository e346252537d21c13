import type { Knex } from '@ticketping/db';

/**
 * Booking's tables. The rule that matters most lives here, in constraints rather than in code:
 * - `seat_holds` has one row per seat that is in a live order (PENDING_PAYMENT or CONFIRMED); its
 *   primary key makes a second hold on the same seat impossible, whatever the application does.
 * - a fan has at most one live order per schedule (partial unique index), so nobody hoards seats.
 * - an order moves only along PENDING_PAYMENT → CONFIRMED | CANCELLED | EXPIRED and
 *   CONFIRMED → REFUNDED (trigger); anything else is rejected by the database.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- Booking's own copy of what catalog publishes (performance.published, seats.published).
    create table performances (
      performance_id uuid primary key,
      title text not null,
      max_seats_per_order integer not null check (max_seats_per_order > 0),
      booking_opens_at timestamptz not null,
      booking_closes_at timestamptz not null,
      total_seats integer not null check (total_seats >= 0),
      -- Seats in CONFIRMED orders; updated in the confirming transaction so exactly one
      -- confirmation sees the performance become sold out.
      sold_seats integer not null default 0 check (sold_seats >= 0),
      sold_out_at timestamptz,
      updated_at timestamptz not null default now()
    );

    create table schedules (
      schedule_id uuid primary key,
      performance_id uuid not null references performances (performance_id),
      starts_at timestamptz not null
    );
    create index schedules_performance on schedules (performance_id);

    create table seats (
      seat_id uuid primary key,
      schedule_id uuid not null,
      performance_id uuid not null,
      section text not null,
      "row" integer not null,
      number integer not null,
      grade text not null,
      price bigint not null check (price >= 0),
      currency char(3) not null
    );
    create index seats_schedule on seats (schedule_id);

    create table orders (
      id uuid primary key,
      user_id text not null,
      performance_id uuid not null,
      schedule_id uuid not null,
      status text not null check (status in ('PENDING_PAYMENT', 'CONFIRMED', 'CANCELLED', 'EXPIRED', 'REFUNDED')),
      amount bigint not null check (amount >= 0),
      currency char(3) not null,
      expires_at timestamptz not null,
      payment_id uuid,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create unique index orders_one_live_per_fan_and_schedule on orders (user_id, schedule_id)
      where status in ('PENDING_PAYMENT', 'CONFIRMED');
    create index orders_pending_by_expiry on orders (expires_at) where status = 'PENDING_PAYMENT';
    create index orders_by_fan on orders (user_id, created_at desc, id desc);

    -- What the fan bought, frozen at order time (a later price change does not touch it).
    create table order_seats (
      order_id uuid not null references orders (id) on delete cascade,
      seat_id uuid not null,
      section text not null,
      "row" integer not null,
      number integer not null,
      grade text not null,
      price bigint not null,
      primary key (order_id, seat_id)
    );

    -- A row exists exactly while the seat is in a PENDING_PAYMENT or CONFIRMED order.
    -- The order row is written after the seats are claimed, hence the deferred foreign key.
    create table seat_holds (
      seat_id uuid primary key,
      order_id uuid not null references orders (id) deferrable initially deferred
    );
    create index seat_holds_order on seat_holds (order_id);

    create function guard_order_status() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' and new.status <> 'PENDING_PAYMENT' then
        raise exception 'an order starts as PENDING_PAYMENT, not %', new.status using errcode = 'check_violation';
      end if;
      if tg_op = 'UPDATE' and new.status is distinct from old.status and not (
        (old.status = 'PENDING_PAYMENT' and new.status in ('CONFIRMED', 'CANCELLED', 'EXPIRED'))
        or (old.status = 'CONFIRMED' and new.status = 'REFUNDED')
      ) then
        raise exception 'illegal order transition % -> %', old.status, new.status using errcode = 'check_violation';
      end if;
      return new;
    end $$;
    create trigger orders_status_guard before insert or update of status on orders
      for each row execute function guard_order_status();

    -- Idempotency-Key records: one per (fan, key) for 24 hours.
    create table idempotency_keys (
      user_id text not null,
      key text not null,
      fingerprint text not null,
      response_status integer,
      response_body jsonb,
      locked_at timestamptz not null default now(),
      expires_at timestamptz not null,
      primary key (user_id, key)
    );
    create index idempotency_keys_expiry on idempotency_keys (expires_at);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table idempotency_keys;
    drop table seat_holds;
    drop table order_seats;
    drop trigger orders_status_guard on orders;
    drop table orders;
    drop function guard_order_status();
    drop table seats;
    drop table schedules;
    drop table performances;
  `);
}
