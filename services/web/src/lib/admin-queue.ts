// The admin page's waiting-room panel: which queue is shown, its figures, the settings form and
// the save's outcome, changed only by `reduceAdminQueue`. pages/admin.ts polls, saves and renders.

import type { QueueState, QueueStatus } from '../api/types.ts';

/** `proofOfWorkMaxNumber`: the entry's proof-of-work difficulty (ALTCHA maxnumber), 0 = off. */
export interface QueueForm { capacity: string; admitPerMinute: string; state: QueueState; proofOfWorkMaxNumber: string }

/** The contract's bound (packages/contracts LIMITS.proofOfWorkMaxNumber). */
export const MAX_PROOF_OF_WORK = 100_000_000;

export interface AdminQueueState {
  selectedId: string | undefined;
  queue: QueueStatus | undefined;
  form: QueueForm;
  /** The form is filled from the first answer only: later polls must not overwrite what the admin types. */
  formFilled: boolean;
  /** Fields the admin changed since choosing this queue: the first answer fills only the others. */
  edited: Partial<Record<keyof QueueForm, true>>;
  /**
   * Bumped when a save begins and when it ends. A poll carries the count from when it was sent, and
   * one sent before or during the latest save is dropped: it may hold the figures from before the
   * save, which would replace the saved ones on screen until the next poll.
   */
  saves: number;
  message: string | undefined;
  problem: string | undefined;
  saving: boolean;
}

export type AdminQueueEvent =
  | { type: 'select'; id: string }
  | { type: 'loaded'; id: string; queue: QueueStatus; saves: number }
  | { type: 'load-failed'; id: string; problem: string }
  | { type: 'edit'; field: 'capacity' | 'admitPerMinute' | 'proofOfWorkMaxNumber'; value: string }
  | { type: 'edit'; field: 'state'; value: QueueState }
  | { type: 'save' }
  | { type: 'saved'; queue: QueueStatus }
  | { type: 'save-failed'; problem: string };

/**
 * The settings to send when a save was accepted by the form. The difficulty only when the admin
 * changed it: sending the shown value back would pin the performance to today's default.
 */
export interface QueueChange { capacity: number; admitPerMinute: number; state: QueueState; proofOfWorkMaxNumber?: number }

const EMPTY_FORM: QueueForm = { capacity: '', admitPerMinute: '', state: 'OPEN', proofOfWorkMaxNumber: '' };

export const initialAdminQueue = (): AdminQueueState => ({
  selectedId: undefined, queue: undefined, form: EMPTY_FORM, formFilled: false, edited: {}, saves: 0, message: undefined, problem: undefined, saving: false,
});

export function reduceAdminQueue(state: AdminQueueState, event: AdminQueueEvent): { state: AdminQueueState; send?: QueueChange } {
  switch (event.type) {
    // The form empties until the chosen queue's figures arrive: the previous queue's settings must
    // not be shown as this one's, nor saved to it.
    case 'select':
      return { state: { ...state, selectedId: event.id, queue: undefined, form: EMPTY_FORM, formFilled: false, edited: {}, message: undefined, problem: undefined } };
    case 'loaded': {
      if (event.id !== state.selectedId) return { state }; // an answer for the queue shown before
      if (event.saves !== state.saves) return { state }; // sent before the latest save
      const { queue } = event;
      // The form sets only OPEN, PAUSED or CLOSED: a sold-out waiting room shows as CLOSED, not as a state it cannot send.
      const shown: QueueForm = {
        capacity: String(queue.capacity), admitPerMinute: String(queue.admitPerMinute), state: queue.state === 'SOLD_OUT' ? 'CLOSED' : queue.state,
        proofOfWorkMaxNumber: String(queue.proofOfWorkMaxNumber),
      };
      // what the admin typed before the figures came stays (a save sends what the form shows)
      const typed = Object.fromEntries(Object.keys(state.edited).map((field) => [field, state.form[field as keyof QueueForm]]));
      const form: QueueForm = state.formFilled ? state.form : { ...shown, ...typed };
      return { state: { ...state, queue, form, formFilled: true } };
    }
    case 'load-failed':
      return { state: event.id === state.selectedId ? { ...state, problem: event.problem } : state };
    case 'edit':
      return { state: {
        ...state,
        form: event.field === 'state' ? { ...state.form, state: event.value } : { ...state.form, [event.field]: event.value },
        edited: { ...state.edited, [event.field]: true },
      } };
    case 'save': {
      if (!state.selectedId || !state.queue || state.saving) return { state };
      const capacity = Number(state.form.capacity);
      const admitPerMinute = Number(state.form.admitPerMinute);
      if (!Number.isInteger(capacity) || capacity < 0 || !Number.isInteger(admitPerMinute) || admitPerMinute < 0) {
        return { state: { ...state, problem: 'Capacity and admissions per minute are whole numbers, 0 or more.' } };
      }
      const difficultyText = state.form.proofOfWorkMaxNumber.trim();
      const difficulty = Number(difficultyText);
      if (difficultyText === '' || !Number.isInteger(difficulty) || difficulty < 0 || difficulty > MAX_PROOF_OF_WORK) {
        return { state: { ...state, problem: `The proof-of-work difficulty is a whole number from 0 (off) to ${MAX_PROOF_OF_WORK.toLocaleString('en')}.` } };
      }
      const send: QueueChange = { capacity, admitPerMinute, state: state.form.state };
      if (difficulty !== state.queue?.proofOfWorkMaxNumber) send.proofOfWorkMaxNumber = difficulty;
      return { state: { ...state, saving: true, saves: state.saves + 1, problem: undefined, message: undefined }, send };
    }
    case 'saved':
      return { state: { ...state, queue: event.queue, saving: false, saves: state.saves + 1, message: 'Saved. Fans in the line see the change on their next update.' } };
    case 'save-failed':
      return { state: { ...state, saving: false, problem: event.problem } };
  }
}
