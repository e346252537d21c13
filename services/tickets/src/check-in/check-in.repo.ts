import type { Knex } from '@ticketping/db';

type Db = Knex | Knex.Transaction;

export interface CheckIn { id: string; ticketId: string; gate: string; deviceId: string | null; scanId: string; scannedAt: Date }
export interface NewScan { checkInId: string; ticketId: string; performanceId: string; scheduleId: string; version: number; gate: string; deviceId: string | null; scanId: string; scannedBy: string; scannedAt: Date }

interface CheckInRow { id: string; ticket_id: string; gate: string; device_id: string | null; scan_id: string; scanned_at: Date }
const toCheckIn = (r: CheckInRow): CheckIn => ({ id: r.id, ticketId: r.ticket_id, gate: r.gate, deviceId: r.device_id, scanId: r.scan_id, scannedAt: r.scanned_at });

/**
 * Records the entry unless the ticket has entered already: the unique index on ticket_id decides,
 * so two gates syncing at the same moment cannot both admit it. True when this scan is the entry.
 */
export async function insertCheckIn(trx: Knex.Transaction, scan: NewScan): Promise<boolean> {
  const rows = await trx('check_ins')
    .insert({
      id: scan.checkInId, ticket_id: scan.ticketId, performance_id: scan.performanceId, schedule_id: scan.scheduleId, version: scan.version,
      gate: scan.gate, device_id: scan.deviceId, scan_id: scan.scanId, scanned_by: scan.scannedBy, scanned_at: scan.scannedAt,
    })
    .onConflict('ticket_id')
    .ignore()
    .returning('id');
  return rows.length > 0;
}

export async function findCheckIn(db: Db, ticketId: string): Promise<CheckIn | undefined> {
  const row = (await db('check_ins').where('ticket_id', ticketId).first()) as CheckInRow | undefined;
  return row && toCheckIn(row);
}

/** What an earlier sync of the same scan decided: a scanner resends a batch whose answer it lost. */
export async function findScan(db: Db, scanId: string): Promise<{ admitted: boolean; ticketId: string } | undefined> {
  const entry = await db('check_ins').where('scan_id', scanId).first('ticket_id');
  if (entry) return { admitted: true, ticketId: entry.ticket_id };
  const duplicate = await db('duplicate_scans').where('scan_id', scanId).first('ticket_id');
  return duplicate ? { admitted: false, ticketId: duplicate.ticket_id } : undefined;
}

export async function flagDuplicate(trx: Knex.Transaction, scan: Omit<NewScan, 'checkInId' | 'scheduleId' | 'version'>, firstCheckInId: string): Promise<void> {
  await trx('duplicate_scans')
    .insert({
      scan_id: scan.scanId, ticket_id: scan.ticketId, performance_id: scan.performanceId, gate: scan.gate, device_id: scan.deviceId,
      scanned_by: scan.scannedBy, scanned_at: scan.scannedAt, first_check_in_id: firstCheckInId,
    })
    .onConflict('scan_id')
    .ignore();
}

export interface FlaggedDuplicate { ticketId: string; gate: string; scannedAt: Date; first: { gate: string; scannedAt: Date } }

export async function listDuplicates(db: Db, performanceId: string, limit: number): Promise<FlaggedDuplicate[]> {
  const rows = await db('duplicate_scans as d')
    .join('check_ins as c', 'c.id', 'd.first_check_in_id')
    .where('d.performance_id', performanceId)
    .orderBy('d.recorded_at', 'desc')
    .limit(limit)
    .select('d.ticket_id', 'd.gate', 'd.scanned_at', 'c.gate as first_gate', 'c.scanned_at as first_scanned_at');
  return rows.map((r: { ticket_id: string; gate: string; scanned_at: Date; first_gate: string; first_scanned_at: Date }) => ({
    ticketId: r.ticket_id, gate: r.gate, scannedAt: r.scanned_at, first: { gate: r.first_gate, scannedAt: r.first_scanned_at },
  }));
}

export interface CheckInEntry { seq: number; ticketId: string; version: number; gate: string; scannedAt: Date }

/** Entries of a performance after `since` (a seq), oldest first. */
export async function listCheckIns(db: Db, performanceId: string, since: number, limit: number): Promise<CheckInEntry[]> {
  const rows = await db('check_ins').where('performance_id', performanceId).andWhere('seq', '>', since).orderBy('seq').limit(limit)
    .select('seq', 'ticket_id', 'version', 'gate', 'scanned_at');
  return rows.map((r: { seq: string; ticket_id: string; version: number; gate: string; scanned_at: Date }) => ({
    seq: Number(r.seq), ticketId: r.ticket_id, version: r.version, gate: r.gate, scannedAt: r.scanned_at,
  }));
}
