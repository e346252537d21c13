import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIdempotencyKeysTable, createStatusGuard, dropStatusGuardFunction, dropStatusGuardTrigger } from './migration-helpers.ts';

/**
 * What booking's and payment's first migrations applied before they called the helpers, verbatim:
 * a database migrated then and one migrated now must hold the same trigger and table.
 */
const APPLIED_ORDER_GUARD = `
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
`;
const APPLIED_PAYMENT_GUARD = `
    create function guard_payment_status() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' and new.status <> 'PENDING' then
        raise exception 'a payment starts as PENDING, not %', new.status using errcode = 'check_violation';
      end if;
      if tg_op = 'UPDATE' and new.status is distinct from old.status and not (
        (old.status = 'PENDING' and new.status in ('SUCCEEDED', 'FAILED'))
        or (old.status = 'SUCCEEDED' and new.status = 'REFUNDED')
      ) then
        raise exception 'illegal payment transition % -> %', old.status, new.status using errcode = 'check_violation';
      end if;
      return new;
    end $$;
    create trigger payments_status_guard before insert or update of status on payments
      for each row execute function guard_payment_status();
`;
const APPLIED_IDEMPOTENCY_KEYS = `
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
`;

const ORDER = { table: 'orders', entity: 'order', initial: 'PENDING_PAYMENT', transitions: { PENDING_PAYMENT: ['CONFIRMED', 'CANCELLED', 'EXPIRED'], CONFIRMED: ['REFUNDED'] } } as const;
const PAYMENT = { table: 'payments', entity: 'payment', initial: 'PENDING', transitions: { PENDING: ['SUCCEEDED', 'FAILED'], SUCCEEDED: ['REFUNDED'] } } as const;

test("the status guard is the SQL booking's and payment's migrations applied, to the byte", () => {
  assert.is(createStatusGuard(ORDER).trim(), APPLIED_ORDER_GUARD.trim());
  assert.is(createStatusGuard(PAYMENT).trim(), APPLIED_PAYMENT_GUARD.trim());
});

test('the idempotency_keys table is the one both migrations created', () => {
  assert.is(createIdempotencyKeysTable().trim(), APPLIED_IDEMPOTENCY_KEYS.trim());
});

test('the guard is dropped by the names it created', () => {
  assert.is(dropStatusGuardTrigger(ORDER), 'drop trigger orders_status_guard on orders;');
  assert.is(dropStatusGuardFunction(PAYMENT), 'drop function guard_payment_status();');
});

test('a status with a quote cannot break out of its literal', () => {
  const sql = createStatusGuard({ table: 't', entity: 'thing', initial: "NEW'; drop table t; --", transitions: { A: ['B'] } });
  assert.ok(sql.includes("'NEW''; drop table t; --'"));
});

test.run();
