import type { Logger } from '@ticketping/logger';
import type { QueueStore } from '../redis/queue-store.ts';
import type { CatalogReader } from './catalog-reader.ts';

export interface RebuildResult {
  /** Queues that were missing from Redis and were created again. */
  created: string[];
  /** Queues that existed but had dropped out of the index, listed again. */
  reindexed: string[];
}

/**
 * Level-triggered repair of what Redis can lose (a restart without the last writes, a failover, a
 * wipe): every performance catalog still sells has a waiting room, and the index lists it. Runs at
 * start and every QUEUE_REBUILD_INTERVAL_MS on every replica; each step is idempotent (createQueue
 * keeps an existing queue as it is), so replicas racing each other change nothing twice.
 *
 * A re-created queue starts from catalog's settings and an empty line: fans who were waiting enter
 * again, and admission tokens from before the loss create no order (booking checks the live slot).
 */
export async function rebuildQueues(deps: { store: QueueStore; catalog: CatalogReader; logger: Logger }): Promise<RebuildResult> {
  const { store, catalog, logger } = deps;
  const live = await catalog.performancesOnSale();
  const indexed = new Set(await store.listQueues());
  const result: RebuildResult = { created: [], reindexed: [] };
  for (const { performanceId, status } of live) {
    if (await store.exists(performanceId)) {
      if (!indexed.has(performanceId)) {
        await store.index(performanceId);
        result.reindexed.push(performanceId);
      }
      continue;
    }
    const settings = await catalog.saleSettings(performanceId);
    if (!settings) continue;
    if (await store.create(performanceId, settings)) {
      // a sold-out performance keeps refusing entries with SOLD_OUT rather than opening a new line
      if (status === 'SOLD_OUT') await store.configure(performanceId, { state: 'SOLD_OUT' });
      result.created.push(performanceId);
    }
  }
  if (result.created.length || result.reindexed.length) logger.warn(result, 'waiting rooms rebuilt from catalog (Redis had lost them)');
  return result;
}
