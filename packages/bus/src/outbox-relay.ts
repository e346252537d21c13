import type { Knex } from 'knex';
import type { Logger } from '@ticketping/logger';
import type { Registry } from '@ticketping/metrics';
import { createOutboxMetrics } from './metrics.ts';
import { assertSchemaName, outboxChannel } from './outbox.ts';
import type { Bus, BusEvent } from './types.ts';

export interface OutboxRelayOptions {
  knex: Knex;
  schema: string;
  bus: Bus;
  logger: Logger;
  /** Polling is what makes the relay correct; NOTIFY only makes it early (default 1000 ms). */
  pollIntervalMs?: number;
  /** Rows claimed per transaction (default 100). */
  batchSize?: number;
  metrics?: Registry;
  /** LISTEN on a dedicated connection to wake at commit (default true; polling still runs). */
  listen?: boolean;
  /** Published rows are deleted after this long (default 24 h). */
  retainPublishedMs?: number;
  /**
   * The schema's inbox rows (events already applied) are deleted after this long (default 14 days).
   * Keep it longer than any redelivery can come: the topics' retention, and a replay of them.
   */
  retainInboxMs?: number;
}

export interface OutboxRelay {
  /** Publishes every row it can claim now; resolves with how many it published. */
  drainOnce(): Promise<number>;
  stop(): Promise<void>;
}

interface OutboxRow {
  id: string;
  topic: string;
  type: string;
  key: string;
  payload: unknown;
  headers: Record<string, string>;
  created_at: Date;
}

/** The bits of a node-postgres client the listener uses (knex hands out the raw connection). */
interface ListenConnection {
  on(event: 'notification', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  query(sql: string): Promise<unknown>;
}

const PRUNE_EVERY_MS = 60_000;
const RELISTEN_EVERY_MS = 60_000;

/**
 * Claims the oldest pending rows, publishes them and marks them published, all inside one
 * transaction that holds its locks while the bus publishes:
 * - a crash before the commit rolls the claim back, so the rows are published again by the next
 *   relay (at-least-once; consumers deduplicate with `handleOnce`);
 * - `pg_try_advisory_xact_lock(key)` gives one key's rows to one relay at a time, so several
 *   relays run at once without publishing a row twice or reordering an aggregate's events.
 *
 * A claim takes two statements. The first takes the key locks, walking the oldest pending rows.
 * The second reads the locked keys' pending rows in a snapshot of its own, taken after the locks
 * were granted. The second read is what keeps each key in order: within one statement a lock
 * can be refused at a key's older row and granted at a younger one. That happens when another
 * relay held the key, for a row it then found already published, and committed without taking
 * the older row. A claim made by that one statement would publish the younger row first.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { knex, schema, bus, pollIntervalMs = 1000, batchSize = 100, listen = true, retainPublishedMs = 24 * 3600_000, retainInboxMs = 14 * 24 * 3600_000 } = options;
  assertSchemaName(schema);
  const table = `${schema}.outbox`;
  const log = options.logger.child({ component: 'outbox-relay', schema });
  const metrics = createOutboxMetrics(options.metrics);

  async function publishBatch(): Promise<number> {
    return knex.transaction(async (trx) => {
      // Walk the pending index oldest first and stop at batchSize, so key locks are taken only
      // for the keys of one batch. A bitmap or seq scan + sort would try the lock on every
      // pending row and leave nothing for the other relays (the planner picks those on small
      // or unanalysed tables). Local to this transaction.
      await trx.raw("SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true)");
      const { rows: lockedRows } = await trx.raw<{ rows: { key: string }[] }>(
        `SELECT key FROM ?? WHERE published_at IS NULL AND pg_try_advisory_xact_lock(hashtext(?), hashtext(key))
          ORDER BY seq LIMIT ?`,
        [table, table, batchSize],
      );
      if (lockedRows.length === 0) return 0;
      // Read committed: this statement sees every commit made before its locks were granted.
      const rows: OutboxRow[] = await trx(table)
        .select('id', 'topic', 'type', 'key', 'payload', 'headers', 'created_at')
        .whereNull('published_at')
        .whereIn('key', [...new Set(lockedRows.map((row) => row.key))])
        .orderBy('seq')
        .limit(batchSize);
      if (rows.length === 0) return 0;
      // In creation order per topic, so each key's events keep their order.
      const byTopic = new Map<string, BusEvent[]>();
      for (const row of rows) {
        const event: BusEvent = { id: row.id, type: row.type, key: row.key, payload: row.payload, occurredAt: row.created_at.toISOString(), headers: row.headers };
        byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), event]);
      }
      for (const [topic, events] of byTopic) await bus.publish(topic, events);
      await trx(table).whereIn('id', rows.map((row) => row.id)).update({ published_at: trx.fn.now() });
      return rows.length;
    });
  }

  async function refreshGauges(): Promise<void> {
    const { rows } = await knex.raw<{ rows: { pending: number; oldest: number }[] }>(
      `SELECT count(*)::int AS pending, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest
         FROM ?? WHERE published_at IS NULL`,
      [table],
    );
    metrics.pending.set(rows[0]?.pending ?? 0);
    metrics.oldestPendingSeconds.set(Math.max(0, rows[0]?.oldest ?? 0));
  }

  async function drainOnce(): Promise<number> {
    let published = 0;
    try {
      for (;;) {
        const claimed = await publishBatch();
        published += claimed;
        // A short batch means nothing else is claimable now (the rest is locked by other relays).
        if (claimed < batchSize) break;
      }
    } finally {
      // Also, and above all, when publishing fails: the gauges are what shows the outage.
      await refreshGauges().catch((error: unknown) => log.warn({ err: error }, 'outbox gauges not refreshed'));
    }
    return published;
  }

  // The schema's bus tables are kept bounded here: published outbox rows, and the inbox if the
  // service consumes events (the relay is the one loop every database service runs).
  let lastPrune = 0;
  let hasInbox: boolean | undefined;
  async function pruneIfDue(): Promise<void> {
    if (Date.now() - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = Date.now();
    const deleted = await knex(table).where('published_at', '<', new Date(Date.now() - retainPublishedMs)).delete();
    if (deleted > 0) log.debug({ deleted }, 'pruned published outbox rows');
    hasInbox ??= await knex.schema.withSchema(schema).hasTable('inbox');
    if (!hasInbox) return;
    const forgotten = await knex(`${schema}.inbox`).where('handled_at', '<', new Date(Date.now() - retainInboxMs)).delete();
    if (forgotten > 0) log.debug({ deleted: forgotten }, 'pruned inbox rows older than any redelivery');
  }

  // Waking: a NOTIFY (or stop) ends the current wait; one that arrives mid-drain skips the next wait.
  let stopped = false;
  let wakeRequested = false;
  let wake: (() => void) | undefined;
  const requestWake = () => {
    wakeRequested = true;
    wake?.();
  };
  const sleepUntilWoken = () =>
    new Promise<void>((resolve) => {
      if (wakeRequested || stopped) return resolve();
      const timer = setTimeout(resolve, pollIntervalMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  let listener: ListenConnection | undefined;
  let nextListenAttempt = 0;
  async function ensureListener(): Promise<void> {
    if (!listen || listener || Date.now() < nextListenAttempt) return;
    nextListenAttempt = Date.now() + RELISTEN_EVERY_MS;
    try {
      const connection = (await knex.client.acquireRawConnection()) as ListenConnection;
      connection.on('notification', requestWake);
      connection.on('error', (error) => {
        log.warn({ err: error }, 'outbox LISTEN connection lost; polling until it is back');
        if (listener === connection) listener = undefined;
      });
      await connection.query(`LISTEN "${outboxChannel(schema)}"`);
      listener = connection;
    } catch (error) {
      log.warn({ err: error }, 'outbox LISTEN unavailable; polling only');
    }
  }

  const loop = (async () => {
    while (!stopped) {
      wakeRequested = false;
      try {
        await ensureListener();
        const published = await drainOnce();
        if (published > 0) log.debug({ published }, 'outbox rows published');
        await pruneIfDue();
      } catch (error) {
        log.error({ err: error }, 'outbox relay pass failed; retrying at the next poll');
      }
      await sleepUntilWoken();
      wake = undefined;
    }
  })();

  return {
    drainOnce,
    async stop(): Promise<void> {
      stopped = true;
      requestWake();
      await loop;
      if (listener) await knex.client.destroyRawConnection(listener);
      listener = undefined;
    },
  };
}
