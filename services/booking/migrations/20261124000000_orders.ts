import { createIdempotencyKeysTable, createStatusGuard, dropIdempotencyKeysTable, dropStatusGuardFunction, dropStatusGuardTrigger, type Knex, type StatusGuard } from '@ticketping/db';

/** As applied: a later change of the order's life is a new migration. */
export const ORDER_STATUS: StatusGuard = {
  table: 'orders',
  entity: 'order',
  initial: 'PENDING_PAYMENT',
  transitions: { PENDING_PAYMENT: ['CONFIRMED', 'CANCELLED', 'EXPIRED'], CONFIRMED: ['REFUNDED'] },
};

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

    ${createStatusGuard(ORDER_STATUS)}

    ${createIdempotencyKeysTable()}
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ${dropIdempotencyKeysTable()}
    drop table seat_holds;
    drop table order_seats;
    ${dropStatusGuardTrigger(ORDER_STATUS)}
    drop table orders;
    ${dropStatusGuardFunction(ORDER_STATUS)}
    drop table seats;
    drop table schedules;
    drop table performances;
  `);
}
