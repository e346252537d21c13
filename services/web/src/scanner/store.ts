// What a gate keeps across reloads and outages, in IndexedDB (through idb): the performance's
// bundle (keys, schedules, rotation secret), the revocation list and what other gates admitted,
// each with its sync cursor, and its own queue of scans not yet accepted by the server.

import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CheckInBundle, ScanToSend } from '../api/types.ts';
import type { Entry } from '../lib/door.ts';

interface ScannerDb extends DBSchema {
  meta: { key: string; value: unknown };
  revoked: { key: string; value: { ticketId: string; version: number } };
  entries: { key: string; value: Entry };
  queue: { key: string; value: ScanToSend & { ticketId: string } };
}

export interface QueuedScan extends ScanToSend { ticketId: string }

/** One database per performance: a gate serves one show, and a new show starts clean. */
export async function openScannerStore(performanceId: string) {
  const db: IDBPDatabase<ScannerDb> = await openDB<ScannerDb>(`ticketping-scanner-${performanceId}`, 1, {
    upgrade(d) {
      d.createObjectStore('meta');
      d.createObjectStore('revoked', { keyPath: 'ticketId' });
      d.createObjectStore('entries', { keyPath: 'ticketId' });
      d.createObjectStore('queue', { keyPath: 'scanId' });
    },
  });
  return {
    bundle: async () => (await db.get('meta', 'bundle')) as CheckInBundle | undefined,
    saveBundle: (bundle: CheckInBundle) => db.put('meta', bundle, 'bundle'),
    cursor: async (name: 'revocations' | 'check-ins') => ((await db.get('meta', `cursor:${name}`)) as string | undefined) ?? '0',
    saveCursor: (name: 'revocations' | 'check-ins', cursor: string) => db.put('meta', cursor, `cursor:${name}`),
    allRevoked: () => db.getAll('revoked'),
    async addRevoked(items: { ticketId: string; version: number }[]) {
      const tx = db.transaction('revoked', 'readwrite');
      for (const item of items) {
        const known = await tx.store.get(item.ticketId);
        if (!known || known.version < item.version) await tx.store.put(item);
      }
      await tx.done;
    },
    allEntries: () => db.getAll('entries'),
    async addEntries(items: Entry[]) {
      const tx = db.transaction('entries', 'readwrite');
      // The first entry is the one that counts: a later one never replaces it.
      for (const item of items) if (!(await tx.store.get(item.ticketId))) await tx.store.put(item);
      await tx.done;
    },
    /** The admission and its queued scan in one transaction: a reload never keeps one without the other. */
    async admit(entry: Entry, scan: QueuedScan) {
      const tx = db.transaction(['entries', 'queue'], 'readwrite');
      await tx.objectStore('entries').put(entry);
      await tx.objectStore('queue').put(scan);
      await tx.done;
    },
    queued: () => db.getAll('queue'),
    queuedCount: () => db.count('queue'),
    async dequeue(scanIds: string[]) {
      const tx = db.transaction('queue', 'readwrite');
      for (const id of scanIds) await tx.store.delete(id);
      await tx.done;
    },
    close: () => db.close(),
  };
}

export type ScannerStore = Awaited<ReturnType<typeof openScannerStore>>;
