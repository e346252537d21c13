import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '@ticketping/logger';
import { eventually } from '@ticketping/testing';
import { startLeaderElection, type LeaseRecord, type LeaseStore, type StoredLease } from './leader-election.ts';

const logger = createLogger({ service: 'test', level: 'silent' });
const timing = { leaseDurationMs: 300, renewDeadlineMs: 200, retryPeriodMs: 30 };

/** A Lease kept in memory with the API server's optimistic concurrency (a stale version is refused). */
function memoryStore() {
  let stored: StoredLease | undefined;
  let version = 0;
  let failing = false;
  const store: LeaseStore = {
    async get() {
      if (failing) throw new Error('API server unreachable');
      return stored && { ...stored };
    },
    async create(record: LeaseRecord) {
      if (failing) throw new Error('API server unreachable');
      if (stored) throw new Error('409 AlreadyExists');
      stored = { ...record, resourceVersion: String(++version) };
      return { ...stored };
    },
    async replace(record: LeaseRecord, resourceVersion: string) {
      if (failing) throw new Error('API server unreachable');
      if (stored?.resourceVersion !== resourceVersion) throw new Error('409 Conflict');
      stored = { ...record, resourceVersion: String(++version) };
      return { ...stored };
    },
  };
  return { store, holder: () => stored?.holderIdentity, fail: (on: boolean) => { failing = on; }, seed: (record: LeaseRecord) => { stored = { ...record, resourceVersion: String(++version) }; } };
}

function candidate(store: LeaseStore, identity: string) {
  const events: string[] = [];
  const elector = startLeaderElection({
    store, identity, logger, ...timing,
    onStartedLeading: () => events.push('started'),
    onStoppedLeading: () => events.push('stopped'),
  });
  return { elector, events };
}

test('one of two candidates leads; the other waits while the lease is renewed', async () => {
  const lease = memoryStore();
  const a = candidate(lease.store, 'a');
  await eventually(() => a.elector.isLeader(), 1000, 5);
  const b = candidate(lease.store, 'b');
  await new Promise((resolve) => setTimeout(resolve, timing.leaseDurationMs * 2)); // well past one lease duration
  assert.is(b.elector.isLeader(), false);
  assert.is(lease.holder(), 'a');
  await Promise.all([a.elector.stop(), b.elector.stop()]);
});

test('a holder that stops renewing is replaced only after a lease duration of the candidate\'s own clock', async () => {
  const lease = memoryStore();
  const now = new Date();
  lease.seed({ holderIdentity: 'crashed', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: 3 });
  const started = Date.now();
  const b = candidate(lease.store, 'b');
  await eventually(() => b.elector.isLeader(), 2000, 5);
  assert.ok(Date.now() - started >= timing.leaseDurationMs, 'not before the lease duration');
  assert.is(lease.holder(), 'b');
  await b.elector.stop();
});

test('stop() releases the lease, so a standby leads at its next retry', async () => {
  const lease = memoryStore();
  const a = candidate(lease.store, 'a');
  await eventually(() => a.elector.isLeader(), 1000, 5);
  const b = candidate(lease.store, 'b');
  await a.elector.stop();
  assert.is(lease.holder(), '');
  const released = Date.now();
  await eventually(() => b.elector.isLeader(), 1000, 5);
  assert.ok(Date.now() - released < timing.leaseDurationMs, 'faster than waiting out the lease');
  await b.elector.stop();
});

test('a leader that cannot renew within the deadline stops leading', async () => {
  const lease = memoryStore();
  const a = candidate(lease.store, 'a');
  await eventually(() => a.elector.isLeader(), 1000, 5);
  lease.fail(true);
  const failedAt = Date.now();
  await eventually(() => a.events.includes('stopped'), 2000, 5);
  assert.ok(Date.now() - failedAt >= timing.renewDeadlineMs - timing.retryPeriodMs * 2);
  assert.is(a.elector.isLeader(), false);
  assert.equal(a.events, ['started', 'stopped']);
  await a.elector.stop();
});

test.run();
