import { randomUUID } from 'node:crypto';
import type { Knex } from '@ticketping/db';
import type { Caller } from '@ticketping/http';
import { findPerformance, setCodeMode, type PerformanceSettings } from '../catalog-copy/catalog-copy.repo.ts';
import { importVerifyKeys, parseCode, STEP_SECONDS, toBase64Url, verifyCode, WINDOW_STEPS, type Verdict } from '../codes/codes.ts';
import type { TicketKeys } from '../codes/signing-keys.ts';
import { isStaff } from '../staff/staff.repo.ts';
import type { TicketsMetrics } from '../tickets-metrics.ts';
import { notStaff, performanceNotFound, scanIdReused } from '../tickets/tickets.errors.ts';
import { emitCheckedIn } from '../tickets/tickets.events.ts';
import { findTickets, listRevocations } from '../tickets/tickets.repo.ts';
import type { Ticket } from '../tickets/tickets.types.ts';
import { findCheckIn, findScan, flagDuplicate, insertCheckIn, listCheckIns, listDuplicates } from './check-in.repo.ts';

export interface Scan { scanId: string; scheduleId: string; code: string; scannedAt: Date }
export type ScanOutcome = 'ADMITTED' | 'DUPLICATE' | Exclude<Verdict, 'VALID'>;
export interface ScanResult {
  scanId: string;
  outcome: ScanOutcome;
  ticketId?: string;
  /** DUPLICATE: when and at which gate the ticket entered. */
  firstCheckIn?: { gate: string; scannedAt: string };
}

export interface CheckInDeps {
  db: Knex;
  keys: Promise<TicketKeys>;
  metrics: TicketsMetrics;
  now?: () => number;
}

/**
 * The door: what a scanner downloads to work offline, and the sync that records its scans. The
 * server verifies each code again with the same function the scanner runs (codes.ts), then lets the
 * database decide who entered first.
 */
export function createCheckIn({ db, keys, metrics, now = Date.now }: CheckInDeps) {
  const verifyKeys = keys.then((k) => importVerifyKeys(k.jwks as Parameters<typeof importVerifyKeys>[0]));

  async function staffPerformance(who: Caller, performanceId: string): Promise<PerformanceSettings> {
    if (who.role !== 'ADMIN' && !(await isStaff(db, who.id, performanceId))) throw notStaff();
    const performance = await findPerformance(db, performanceId);
    if (!performance) throw performanceNotFound();
    return performance;
  }

  /** Server-side truth for the revocation check: revoked tickets, and versions superseded by a transfer. */
  const deadUpTo = (ticket: Ticket | undefined) => (ticket === undefined ? undefined : ticket.status === 'REVOKED' ? ticket.version : ticket.version - 1);

  async function record(who: Caller, performanceId: string, device: { gate: string; deviceId: string | null }, scan: Scan, ticket: Ticket): Promise<ScanResult> {
    const base = { scanId: scan.scanId, ticketId: ticket.id };
    const earlier = await findScan(db, scan.scanId);
    if (earlier && earlier.ticketId !== ticket.id) throw scanIdReused(scan.scanId);
    if (earlier?.admitted) return { ...base, outcome: 'ADMITTED' };
    const admitted = await db.transaction(async (trx) => {
      const checkInId = randomUUID();
      const entry = { ...device, ticketId: ticket.id, performanceId, scheduleId: scan.scheduleId, version: ticket.version, scanId: scan.scanId, scannedBy: who.id, scannedAt: scan.scannedAt };
      if (await insertCheckIn(trx, { checkInId, ...entry })) {
        await emitCheckedIn(trx, { checkInId, ticketId: ticket.id, performanceId, scheduleId: scan.scheduleId, gate: device.gate, scannedAt: scan.scannedAt });
        return true;
      }
      const first = (await findCheckIn(trx, ticket.id))!;
      await flagDuplicate(trx, entry, first.id);
      return false;
    });
    if (admitted) return { ...base, outcome: 'ADMITTED' };
    const first = (await findCheckIn(db, ticket.id))!;
    return { ...base, outcome: 'DUPLICATE', firstCheckIn: { gate: first.gate, scannedAt: first.scannedAt.toISOString() } };
  }

  return {
    /** Everything a scanner needs to decide offline; the revocation list comes separately, by cursor. */
    async bundle(who: Caller, performanceId: string) {
      const performance = await staffPerformance(who, performanceId);
      return {
        performanceId,
        title: performance.title,
        cancelledAt: performance.cancelledAt?.toISOString() ?? null,
        codeMode: performance.codeMode,
        schedules: performance.schedules.map((s) => ({ scheduleId: s.scheduleId, startsAt: s.startsAt.toISOString() })),
        rotation: { secret: toBase64Url(performance.rotationSecret), stepSeconds: STEP_SECONDS, windowSteps: WINDOW_STEPS },
        keys: (await keys).jwks,
      };
    },

    async revocations(who: Caller, performanceId: string, since: number, limit: number) {
      await staffPerformance(who, performanceId);
      const items = await listRevocations(db, performanceId, since, limit);
      return {
        items: items.map((r) => ({ ticketId: r.ticketId, version: r.version, reason: r.reason, revokedAt: r.revokedAt.toISOString() })),
        nextCursor: String(items.at(-1)?.seq ?? since),
        more: items.length === limit,
      };
    },

    /** What every gate admitted, by cursor: an online scanner refuses a ticket that entered elsewhere. */
    async checkIns(who: Caller, performanceId: string, since: number, limit: number) {
      await staffPerformance(who, performanceId);
      const items = await listCheckIns(db, performanceId, since, limit);
      return {
        items: items.map((c) => ({ ticketId: c.ticketId, version: c.version, gate: c.gate, scannedAt: c.scannedAt.toISOString() })),
        nextCursor: String(items.at(-1)?.seq ?? since),
        more: items.length === limit,
      };
    },

    async duplicates(who: Caller, performanceId: string, limit: number) {
      await staffPerformance(who, performanceId);
      return (await listDuplicates(db, performanceId, limit)).map((d) => ({
        ticketId: d.ticketId, gate: d.gate, scannedAt: d.scannedAt.toISOString(), first: { gate: d.first.gate, scannedAt: d.first.scannedAt.toISOString() },
      }));
    },

    async setCodeMode(performanceId: string, mode: 'STATIC' | 'ROTATING') {
      if (!(await setCodeMode(db, performanceId, mode))) throw performanceNotFound();
    },

    /**
     * A batch of scans from one gate (one scan online, a queue of them after an outage). Each is
     * answered on its own; sending the same scan again gives the same answer. A rotating code is
     * judged at the moment it was scanned (the staff device's clock, never later than ours), so a
     * code scanned fresh offline still counts when it syncs an hour later.
     */
    async sync(who: Caller, performanceId: string, device: { gate: string; deviceId: string | null }, scans: Scan[]): Promise<ScanResult[]> {
      const performance = await staffPerformance(who, performanceId);
      const ids = scans.map((s) => parseCode(s.code)?.payload.ticketId).filter((id): id is string => id !== undefined);
      const tickets = await findTickets(db, ids);
      const keySet = await verifyKeys;
      const scheduleIds = performance.schedules.map((s) => s.scheduleId);
      const results: ScanResult[] = [];
      for (const scan of scans) {
        const verification = await verifyCode(scan.code, {
          keys: keySet,
          performance: { mode: performance.codeMode, scheduleIds, rotationSecret: performance.rotationSecret },
          scheduleId: scan.scheduleId,
          revokedVersion: (ticketId) => deadUpTo(tickets.get(ticketId)),
          now: Math.min(scan.scannedAt.getTime(), now()),
        });
        const ticket = verification.payload && tickets.get(verification.payload.ticketId);
        let result: ScanResult;
        if (verification.verdict !== 'VALID') result = { scanId: scan.scanId, outcome: verification.verdict, ...(verification.payload ? { ticketId: verification.payload.ticketId } : {}) };
        // Signed by us but unknown here (a database restored from before it was issued): not admitted.
        else if (!ticket) result = { scanId: scan.scanId, outcome: 'REVOKED', ticketId: verification.payload!.ticketId };
        else result = await record(who, performanceId, device, { ...scan, scannedAt: new Date(Math.min(scan.scannedAt.getTime(), now())) }, ticket);
        metrics.scan(device.gate, result.outcome);
        results.push(result);
      }
      return results;
    },
  };
}

export type CheckInService = ReturnType<typeof createCheckIn>;
