// A gate's engine: decides each scan offline with the very verify function the tickets service runs
// (@ticketping/tickets/codes), keeps its state in IndexedDB, and syncs with the server when it can.

import { fromBase64Url, importVerifyKeys, verifyCode, type ScannerContext } from '@ticketping/tickets/codes';
import type { Api } from '../api/client.ts';
import { newIdempotencyKey } from '../api/http.ts';
import type { CheckInBundle } from '../api/types.ts';
import { decideAtDoor, type DoorDecision, type DoubleEntry, type Entry } from '../lib/door.ts';
import { openScannerStore, type ScannerStore } from './store.ts';

/** Largest batch one sync sends (the server's MAX_SCANS_PER_SYNC default). */
const BATCH = 500;

export interface DoorEngine {
  bundle: CheckInBundle;
  scan(text: string, now?: number): Promise<DoorDecision>;
  /** Sends the queue, then pulls revocations and other gates' entries. Throws when offline. */
  sync(): Promise<{ doubleEntries: DoubleEntry[] }>;
  queuedCount(): Promise<number>;
  close(): void;
}

export async function openDoor(api: Api, performanceId: string, scheduleId: string, gate: string, deviceId: string): Promise<DoorEngine> {
  const store: ScannerStore = await openScannerStore(performanceId);
  let bundle = await store.bundle();
  const openedBefore = bundle !== undefined;
  try {
    bundle = await api.checkInBundle(performanceId);
    await store.saveBundle(bundle);
  } catch (error) {
    // Offline with a bundle from before: the gate keeps working on what it has.
    if (!bundle) throw error;
  }
  if (!bundle.schedules.some((s) => s.scheduleId === scheduleId)) throw new Error('This date is not one of the performance’s dates.');
  const keys = await importVerifyKeys(bundle.keys);
  // The contract makes the rotation's fields optional: without a secret no rotating code verifies (FORGED).
  const rotationSecret = bundle.rotation.secret ? fromBase64Url(bundle.rotation.secret) : new Uint8Array();
  const revoked = new Map((await store.allRevoked()).map((r) => [r.ticketId, r.version]));
  const entries = new Map((await store.allEntries()).map((e) => [e.ticketId, e]));
  const performance = { mode: bundle.codeMode, scheduleIds: bundle.schedules.flatMap((s) => (s.scheduleId ? [s.scheduleId] : [])), rotationSecret };

  async function pull(): Promise<void> {
    for (let more = true; more;) {
      const page = await api.revocations(performanceId, await store.cursor('revocations'));
      await store.addRevoked(page.items);
      for (const r of page.items) if ((revoked.get(r.ticketId) ?? 0) < r.version) revoked.set(r.ticketId, r.version);
      await store.saveCursor('revocations', page.nextCursor);
      more = page.more;
    }
    for (let more = true; more;) {
      const page = await api.checkIns(performanceId, await store.cursor('check-ins'));
      const fresh: Entry[] = page.items.map((c) => ({ ticketId: c.ticketId, gate: c.gate, scannedAt: c.scannedAt }));
      await store.addEntries(fresh);
      for (const e of fresh) if (!entries.has(e.ticketId)) entries.set(e.ticketId, e);
      await store.saveCursor('check-ins', page.nextCursor);
      more = page.more;
    }
  }

  // The first scan waits for the revocations and the other gates' entries: without them a
  // transferred or refunded ticket's old code, or a ticket already in, would be admitted. Offline,
  // a gate opened before goes on with what it pulled then; a new one cannot start.
  try {
    await pull();
  } catch (error) {
    if (!openedBefore) throw error;
  }

  return {
    bundle,
    async scan(text, now = Date.now()) {
      const ctx: ScannerContext = { keys, performance, scheduleId, revokedVersion: (id) => revoked.get(id), now };
      const decision = decideAtDoor(await verifyCode(text.trim(), ctx), (id) => entries.get(id));
      if (decision.outcome === 'ADMIT') {
        const scannedAt = new Date(now).toISOString();
        const entry = { ticketId: decision.ticketId!, gate, scannedAt };
        entries.set(entry.ticketId, entry);
        await store.admit(entry, { scanId: newIdempotencyKey(), scheduleId, code: text.trim(), scannedAt, ticketId: entry.ticketId });
      }
      return decision;
    },
    async sync() {
      const doubleEntries: DoubleEntry[] = [];
      const queue = await store.queued();
      for (let i = 0; i < queue.length; i += BATCH) {
        const batch = queue.slice(i, i + BATCH);
        const { results } = await api.sendScans(performanceId, { gate, deviceId, scans: batch.map(({ ticketId: _t, ...scan }) => scan) });
        for (const [j, result] of results.entries()) {
          // Another gate's entry synced first: this one is the double entry, flagged for the staff.
          const first = result.firstCheckIn;
          if (result.outcome === 'DUPLICATE' && first?.gate && first.scannedAt) {
            const scan = batch[j]!;
            doubleEntries.push({ ticketId: scan.ticketId, gate, scannedAt: scan.scannedAt, first: { gate: first.gate, scannedAt: first.scannedAt } });
            entries.set(scan.ticketId, { ticketId: scan.ticketId, gate: first.gate, scannedAt: first.scannedAt });
          }
        }
        await store.dequeue(batch.map((s) => s.scanId));
      }
      await pull();
      return { doubleEntries };
    },
    queuedCount: () => store.queuedCount(),
    close: () => store.close(),
  };
}
