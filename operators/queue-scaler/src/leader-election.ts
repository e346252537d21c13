/**
 * Lease leader election, following client-go's tools/leaderelection:
 *  - a foreign holder counts as expired when `observedAt + leaseDuration < now`, where observedAt is
 *    the LOCAL time this process last saw the record change, so clock skew between nodes is moot;
 *  - takeover and renewal are a replace carrying the resourceVersion (a 409 means someone else won);
 *  - a leader that could not renew within `renewDeadline` stops leading (the process exits, the
 *    Deployment restarts it as a standby), so two leaders never scale at once for long;
 *  - a clean shutdown releases the Lease (empty holder), so a standby takes over at its next retry.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@ticketping/logger';

export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: Date;
  renewTime: Date;
  leaseTransitions: number;
}

/** The Lease as stored, with the version to replace it against. */
export interface StoredLease extends LeaseRecord {
  resourceVersion: string;
}

export interface LeaseStore {
  get(): Promise<StoredLease | undefined>;
  create(record: LeaseRecord): Promise<StoredLease>;
  /** Rejects when `resourceVersion` is stale (HTTP 409). */
  replace(record: LeaseRecord, resourceVersion: string): Promise<StoredLease>;
}

export interface LeaderElectionOptions {
  store: LeaseStore;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  logger: Logger;
}

export interface LeaderElector {
  isLeader(): boolean;
  /** Stops campaigning; releases the Lease if held. */
  stop(): Promise<void>;
}


export function startLeaderElection(options: LeaderElectionOptions): LeaderElector {
  const { store, identity, logger } = options;
  let observed: StoredLease | undefined;
  let observedAt = 0;
  let leading = false;
  let stopped = false;
  let lastRenewAt = 0;
  const wake = new AbortController();

  async function tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const current = await store.get();
    const record: LeaseRecord = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(options.leaseDurationMs / 1000),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };
    if (!current) {
      observed = await store.create(record);
      observedAt = Date.now();
      return true;
    }
    if (observed?.resourceVersion !== current.resourceVersion) {
      observed = current;
      observedAt = Date.now();
    }
    const heldByOther = current.holderIdentity !== '' && current.holderIdentity !== identity;
    if (heldByOther && observedAt + options.leaseDurationMs > Date.now()) return false;
    if (current.holderIdentity === identity) {
      record.acquireTime = current.acquireTime;
      record.leaseTransitions = current.leaseTransitions;
    } else {
      record.leaseTransitions = current.leaseTransitions + 1;
    }
    try {
      observed = await store.replace(record, current.resourceVersion);
      observedAt = Date.now();
      return true;
    } catch (error) {
      logger.debug({ err: error }, 'lease update lost a race');
      return false;
    }
  }

  async function attempt(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), options.retryPeriodMs * 2); });
    try {
      return await Promise.race([tryAcquireOrRenew().catch((error: unknown) => {
        logger.warn({ err: error }, 'lease request failed');
        return false;
      }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      const ok = await attempt();
      if (stopped) break;
      if (ok) {
        lastRenewAt = Date.now();
        if (!leading) {
          leading = true;
          logger.info({ identity, transitions: observed?.leaseTransitions }, 'became leader');
          options.onStartedLeading();
        }
      } else if (leading && Date.now() - lastRenewAt > options.renewDeadlineMs) {
        leading = false;
        stopped = true;
        logger.error({ identity }, 'could not renew the lease in time: stopped leading');
        options.onStoppedLeading();
        break;
      }
      // ±10 % so standbys do not hit the API server in step
      await sleep(options.retryPeriodMs * (0.9 + 0.2 * Math.random()), undefined, { signal: wake.signal }).catch(() => undefined);
    }
  }

  const running = loop();

  return {
    isLeader: () => leading,
    async stop() {
      stopped = true;
      wake.abort();
      await running;
      if (!leading) return;
      leading = false;
      try {
        const current = await store.get();
        if (current?.holderIdentity === identity) {
          const now = new Date();
          await store.replace({ ...current, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now }, current.resourceVersion);
          logger.info({ identity }, 'released the lease');
        }
      } catch (error) {
        logger.warn({ err: error }, 'could not release the lease; a standby takes over when it expires');
      }
    },
  };
}
