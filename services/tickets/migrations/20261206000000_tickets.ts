import type { Knex } from '@ticketping/db';

/**
 * The tickets service's tables. The rules that matter at the door live in constraints:
 * - one ticket per seat of an order (unique), so a redelivered `order.confirmed` issues nothing twice;
 * - a ticket enters once: `check_ins` has one row per ticket (unique), whichever gate syncs first;
 * - a transfer bumps the version; the revocation list says which versions are dead.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- The service's copy of what catalog publishes: titles and dates for tickets, cancellations.
    create table performances (
      performance_id uuid primary key,
      title text not null,
      venue text,
      -- STATIC: printable codes; ROTATING: codes change every 30 s, set by an administrator.
      code_mode text not null default 'STATIC' check (code_mode in ('STATIC', 'ROTATING')),
      -- Derives each ticket's rotating key; given to the performance's scanners only.
      rotation_secret bytea not null check (length(rotation_secret) = 32),
      cancelled_at timestamptz,
      updated_at timestamptz not null default now()
    );

    create table schedules (
      schedule_id uuid primary key,
      performance_id uuid not null,
      starts_at timestamptz not null
    );
    create index schedules_performance on schedules (performance_id);

    create table seats (
      seat_id uuid primary key,
      schedule_id uuid not null,
      section text not null,
      "row" integer not null,
      number integer not null,
      grade text not null
    );

    create table tickets (
      id uuid primary key,
      order_id uuid not null,
      performance_id uuid not null,
      schedule_id uuid not null,
      seat_id uuid not null,
      holder_id uuid not null,
      version integer not null default 1 check (version between 1 and 65535),
      status text not null default 'VALID' check (status in ('VALID', 'REVOKED')),
      revoked_reason text,
      transfer_count integer not null default 0 check (transfer_count >= 0),
      issued_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (order_id, seat_id),
      check ((status = 'REVOKED') = (revoked_reason is not null))
    );
    create index tickets_holder on tickets (holder_id, issued_at);
    create index tickets_order on tickets (order_id);
    create index tickets_performance on tickets (performance_id) where status = 'VALID';

    -- Scanners fetch this since their last cursor: codes of ticket_id with a version up to
    -- this one are dead (a revocation keeps the version, a transfer lists the old one).
    create table revocations (
      seq bigserial primary key,
      ticket_id uuid not null,
      performance_id uuid not null,
      version integer not null,
      reason text not null check (reason in ('ORDER_REFUNDED', 'PERFORMANCE_CANCELLED', 'TRANSFERRED')),
      revoked_at timestamptz not null default now()
    );
    create index revocations_performance on revocations (performance_id, seq);

    create table transfers (
      id uuid primary key,
      ticket_id uuid not null references tickets (id),
      from_holder uuid not null,
      to_holder uuid not null,
      from_version integer not null,
      transferred_at timestamptz not null default now()
    );
    create index transfers_ticket on transfers (ticket_id);

    -- A ticket enters once: the second scan of it, from any gate, online or synced later, is a duplicate.
    create table check_ins (
      id uuid primary key,
      ticket_id uuid not null unique references tickets (id),
      performance_id uuid not null,
      schedule_id uuid not null,
      version integer not null,
      gate text not null,
      device_id text,
      scan_id uuid not null unique,
      scanned_by text not null,
      scanned_at timestamptz not null,
      recorded_at timestamptz not null default now()
    );
    create index check_ins_schedule on check_ins (schedule_id, recorded_at);

    -- Second entries of a ticket, flagged for the organiser (scan_id: one flag per scan, however often it syncs).
    create table duplicate_scans (
      scan_id uuid primary key,
      ticket_id uuid not null references tickets (id),
      performance_id uuid not null,
      gate text not null,
      device_id text,
      scanned_by text not null,
      scanned_at timestamptz not null,
      first_check_in_id uuid not null references check_ins (id),
      recorded_at timestamptz not null default now()
    );
    create index duplicate_scans_performance on duplicate_scans (performance_id, recorded_at);

    -- STAFF, scoped to a performance: who may download a performance's scanner bundle and check tickets in.
    create table staff_grants (
      user_id uuid not null,
      performance_id uuid not null,
      granted_by text not null,
      granted_at timestamptz not null default now(),
      primary key (user_id, performance_id)
    );

    -- Used when TICKET_SIGNING_KEYS is not set: one key generated at the first start and kept.
    create table signing_keys (
      singleton boolean primary key default true check (singleton),
      kid text not null,
      private_jwk jsonb not null,
      created_at timestamptz not null default now()
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table signing_keys;
    drop table staff_grants;
    drop table duplicate_scans;
    drop table check_ins;
    drop table transfers;
    drop table revocations;
    drop table tickets;
    drop table seats;
    drop table schedules;
    drop table performances;
  `);
}
