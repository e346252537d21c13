/**
 * SQL that several services' migrations need alike, written once. A migration calls these inside
 * its own `knex.raw`, so what it creates is still fixed by the migration that ran: change a helper
 * only in a way that leaves the SQL of past calls the same (src/migration-helpers.test.ts holds
 * what booking's and payment's first migrations applied).
 */

/** The table @ticketping/idempotency reads and writes: one record per (fan, Idempotency-Key) until it expires. */
export function createIdempotencyKeysTable(): string {
  return `
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
}

export function dropIdempotencyKeysTable(): string {
  return 'drop table idempotency_keys;';
}

/** A status column's life: where every row starts, and which moves are allowed from each status. */
export interface StatusGuard {
  table: string;
  /** Names the function (`guard_<entity>_status`) and the messages ("illegal order transition"). */
  entity: string;
  initial: string;
  transitions: Record<string, readonly [string, ...string[]]>;
}

const functionName = ({ entity }: StatusGuard) => `guard_${entity}_status`;
const triggerName = ({ table }: StatusGuard) => `${table}_status_guard`;

/**
 * A trigger that rejects (check_violation) a row inserted in another status than `initial` and any
 * status change not listed in `transitions`, whatever the application does.
 */
export function createStatusGuard(guard: StatusGuard): string {
  const article = /^[aeiou]/i.test(guard.entity) ? 'an' : 'a';
  const allowed = Object.entries(guard.transitions)
    .map(([from, to]) => `(old.status = ${literal(from)} and new.status ${to.length === 1 ? `= ${literal(to[0])}` : `in (${to.map(literal).join(', ')})`})`)
    .join('\n        or ');
  return `
    create function ${functionName(guard)}() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' and new.status <> ${literal(guard.initial)} then
        raise exception '${article} ${guard.entity} starts as ${guard.initial}, not %', new.status using errcode = 'check_violation';
      end if;
      if tg_op = 'UPDATE' and new.status is distinct from old.status and not (
        ${allowed}
      ) then
        raise exception 'illegal ${guard.entity} transition % -> %', old.status, new.status using errcode = 'check_violation';
      end if;
      return new;
    end $$;
    create trigger ${triggerName(guard)} before insert or update of status on ${guard.table}
      for each row execute function ${functionName(guard)}();
  `;
}

/** Drops the trigger; the function goes after the table (see `dropStatusGuardFunction`). */
export function dropStatusGuardTrigger(guard: StatusGuard): string {
  return `drop trigger ${triggerName(guard)} on ${guard.table};`;
}

export function dropStatusGuardFunction(guard: StatusGuard): string {
  return `drop function ${functionName(guard)}();`;
}

/** Statuses are identifiers we write ourselves; quoting them keeps the generated SQL valid anyway. */
function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
