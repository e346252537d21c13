// The door's rules, kept pure: what a gate shows for a verified code, given the entries it knows
// (its own and those other gates synced), and the scanner page's state and events.

import type { Verification } from '@ticketping/tickets/codes';

export type DoorOutcome = 'ADMIT' | 'ALREADY_USED' | 'REVOKED' | 'WRONG_DATE' | 'WRONG_EVENT' | 'EXPIRED' | 'FORGED';
export interface Entry { ticketId: string; gate: string; scannedAt: string }
export interface DoorDecision { outcome: DoorOutcome; ticketId?: string; seatId?: string; firstEntry?: Entry }

/** The verdict of the shared verify function, then "did it enter already" from the gate's list. */
export function decideAtDoor(verification: Verification, entered: (ticketId: string) => Entry | undefined): DoorDecision {
  const ids = verification.payload ? { ticketId: verification.payload.ticketId, seatId: verification.payload.seatId } : {};
  switch (verification.verdict) {
    case 'FORGED': return { outcome: 'FORGED' };
    case 'CODE_EXPIRED': return { outcome: 'EXPIRED', ...ids };
    case 'WRONG_DATE': return { outcome: 'WRONG_DATE', ...ids };
    case 'WRONG_EVENT': return { outcome: 'WRONG_EVENT', ...ids };
    case 'REVOKED': return { outcome: 'REVOKED', ...ids };
    case 'VALID': {
      const first = entered(verification.payload!.ticketId);
      return first ? { outcome: 'ALREADY_USED', ...ids, firstEntry: first } : { outcome: 'ADMIT', ...ids };
    }
  }
}

/** The words and colour a gate shows, big, for each outcome. */
export const OUTCOME_TEXT: Record<DoorOutcome, { headline: string; tone: 'ok' | 'stop' | 'warn' }> = {
  ADMIT: { headline: 'Valid: admit', tone: 'ok' },
  ALREADY_USED: { headline: 'Already used', tone: 'stop' },
  REVOKED: { headline: 'Revoked', tone: 'stop' },
  WRONG_DATE: { headline: 'Wrong date', tone: 'warn' },
  WRONG_EVENT: { headline: 'Wrong event', tone: 'warn' },
  EXPIRED: { headline: 'Code expired: ask for the live code', tone: 'warn' },
  FORGED: { headline: 'Forged or unreadable', tone: 'stop' },
};

export interface DoubleEntry { ticketId: string; gate: string; scannedAt: string; first: { gate: string; scannedAt: string } }

export interface ScannerState {
  phase: 'choose' | 'loading' | 'ready' | 'failed';
  failure: string | undefined;
  online: boolean;
  camera: 'off' | 'starting' | 'on' | 'denied';
  lastScan: (DoorDecision & { at: string; ms: number }) | undefined;
  admitted: number;
  refused: number;
  queued: number;
  syncing: boolean;
  lastSyncAt: string | undefined;
  doubleEntries: DoubleEntry[];
}

export type ScannerEvent =
  | { type: 'loading' }
  | { type: 'ready'; queued: number }
  | { type: 'failed'; message: string }
  | { type: 'online'; online: boolean }
  | { type: 'camera'; camera: ScannerState['camera'] }
  | { type: 'scanned'; decision: DoorDecision; at: string; ms: number; queued: number }
  | { type: 'sync-started' }
  | { type: 'synced'; at: string; queued: number; doubleEntries: DoubleEntry[] }
  | { type: 'sync-failed'; queued: number };

export const initialScanner: ScannerState = {
  phase: 'choose', failure: undefined, online: true, camera: 'off', lastScan: undefined, admitted: 0, refused: 0, queued: 0, syncing: false, lastSyncAt: undefined, doubleEntries: [],
};

export function scannerReducer(state: ScannerState, event: ScannerEvent): ScannerState {
  switch (event.type) {
    case 'loading': return { ...state, phase: 'loading', failure: undefined };
    case 'ready': return { ...state, phase: 'ready', queued: event.queued };
    case 'failed': return { ...state, phase: 'failed', failure: event.message };
    case 'online': return { ...state, online: event.online };
    case 'camera': return { ...state, camera: event.camera };
    case 'scanned': {
      const admitted = event.decision.outcome === 'ADMIT';
      return {
        ...state, lastScan: { ...event.decision, at: event.at, ms: event.ms }, queued: event.queued,
        admitted: state.admitted + (admitted ? 1 : 0), refused: state.refused + (admitted ? 0 : 1),
      };
    }
    case 'sync-started': return { ...state, syncing: true };
    case 'synced': {
      const known = new Set(state.doubleEntries.map((d) => `${d.ticketId}@${d.gate}@${d.scannedAt}`));
      const fresh = event.doubleEntries.filter((d) => !known.has(`${d.ticketId}@${d.gate}@${d.scannedAt}`));
      return { ...state, syncing: false, lastSyncAt: event.at, queued: event.queued, doubleEntries: [...fresh, ...state.doubleEntries] };
    }
    case 'sync-failed': return { ...state, syncing: false, queued: event.queued };
  }
}
