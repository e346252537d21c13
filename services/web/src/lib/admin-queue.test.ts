import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { QueueStatus } from '../api/types.ts';
import { initialAdminQueue, reduceAdminQueue, type AdminQueueEvent, type AdminQueueState } from './admin-queue.ts';

const status = (fields: Partial<QueueStatus> = {}) => ({ performanceId: 'p1', waiting: 40, active: 2, capacity: 5, admitPerMinute: 60, state: 'OPEN', proofOfWorkMaxNumber: 100_000, ...fields }) as QueueStatus;
const run = (events: AdminQueueEvent[], from: AdminQueueState = initialAdminQueue()) =>
  events.reduce<{ state: AdminQueueState; send?: unknown }>(({ state }, event) => reduceAdminQueue(state, event), { state: from });

test('the first answer fills the form; later polls update the figures but not what the admin types', () => {
  const { state } = run([
    { type: 'select', id: 'p1' },
    { type: 'loaded', id: 'p1', queue: status(), saves: 0 },
    { type: 'edit', field: 'capacity', value: '50' },
    { type: 'loaded', id: 'p1', queue: status({ waiting: 39, capacity: 5 }), saves: 0 },
  ]);
  assert.equal(state.form, { capacity: '50', admitPerMinute: '60', state: 'OPEN', proofOfWorkMaxNumber: '100000' });
  assert.is(state.queue?.waiting, 39);
});

test('a sold-out waiting room shows as CLOSED in the form (a state the admin can send)', () => {
  assert.is(run([{ type: 'select', id: 'p1' }, { type: 'loaded', id: 'p1', queue: status({ state: 'SOLD_OUT' }), saves: 0 }]).state.form.state, 'CLOSED');
});

test('choosing another queue empties the form until its figures arrive, and nothing is saved before', () => {
  const shown = run([{ type: 'select', id: 'p1' }, { type: 'loaded', id: 'p1', queue: status({ capacity: 7 }), saves: 0 }]).state;
  const switched = reduceAdminQueue(shown, { type: 'select', id: 'p2' }).state;
  assert.equal(switched.form, { capacity: '', admitPerMinute: '', state: 'OPEN', proofOfWorkMaxNumber: '' });
  const early = reduceAdminQueue(reduceAdminQueue(switched, { type: 'edit', field: 'proofOfWorkMaxNumber', value: '400000' }).state, { type: 'save' });
  assert.equal([early.send, early.state.saving], [undefined, false], 'p1\'s settings are never sent to p2');
  const loaded = reduceAdminQueue(switched, { type: 'loaded', id: 'p2', queue: status({ performanceId: 'p2', capacity: 3 }), saves: 0 }).state;
  assert.is(loaded.form.capacity, '3');
});

test('what the admin typed before the figures arrived stays; the other fields are filled, and the save sends it', () => {
  const { state } = run([
    { type: 'select', id: 'p1' },
    { type: 'edit', field: 'proofOfWorkMaxNumber', value: '400000' },
    { type: 'loaded', id: 'p1', queue: status({ capacity: 1, admitPerMinute: 600 }), saves: 0 },
  ]);
  assert.equal(state.form, { capacity: '1', admitPerMinute: '600', state: 'OPEN', proofOfWorkMaxNumber: '400000' });
  assert.equal(reduceAdminQueue(state, { type: 'save' }).send, { capacity: 1, admitPerMinute: 600, state: 'OPEN', proofOfWorkMaxNumber: 400_000 });
});

test('a poll sent before or during a save does not replace the saved figures', () => {
  const saving = run([{ type: 'select', id: 'p1' }, { type: 'loaded', id: 'p1', queue: status(), saves: 0 }, { type: 'edit', field: 'proofOfWorkMaxNumber', value: '400000' }, { type: 'save' }]).state;
  const saved = reduceAdminQueue(saving, { type: 'saved', queue: status({ proofOfWorkMaxNumber: 400_000 }) }).state;
  const stale = reduceAdminQueue(saved, { type: 'loaded', id: 'p1', queue: status(), saves: 0 }).state;
  assert.is(stale.queue?.proofOfWorkMaxNumber, 400_000);
  const fresh = reduceAdminQueue(stale, { type: 'loaded', id: 'p1', queue: status({ proofOfWorkMaxNumber: 400_000, waiting: 12 }), saves: saved.saves }).state;
  assert.is(fresh.queue?.waiting, 12);
});

test('an answer for the queue shown before is ignored after switching', () => {
  const { state } = run([{ type: 'select', id: 'p1' }, { type: 'select', id: 'p2' }, { type: 'loaded', id: 'p1', queue: status(), saves: 0 }, { type: 'load-failed', id: 'p1', problem: 'x' }]);
  assert.is(state.queue, undefined);
  assert.is(state.formFilled, false);
  assert.is(state.problem, undefined);
});

test('saving sends whole numbers only; a bad number is refused in the form and nothing is sent', () => {
  const ready = run([{ type: 'select', id: 'p1' }, { type: 'loaded', id: 'p1', queue: status(), saves: 0 }]).state;
  const bad = reduceAdminQueue(reduceAdminQueue(ready, { type: 'edit', field: 'admitPerMinute', value: '1.5' }).state, { type: 'save' });
  assert.is(bad.send, undefined);
  assert.match(bad.state.problem!, /whole numbers/);
  const good = reduceAdminQueue(reduceAdminQueue(ready, { type: 'edit', field: 'state', value: 'PAUSED' }).state, { type: 'save' });
  assert.equal(good.send, { capacity: 5, admitPerMinute: 60, state: 'PAUSED' });
  assert.is(good.state.saving, true);
  assert.is(reduceAdminQueue(good.state, { type: 'save' }).send, undefined, 'one save at a time');
});

test('a save ends with the new figures and a confirmation, or with the server\'s problem', () => {
  const saving = run([{ type: 'select', id: 'p1' }, { type: 'loaded', id: 'p1', queue: status(), saves: 0 }, { type: 'save' }]).state;
  const saved = reduceAdminQueue(saving, { type: 'saved', queue: status({ capacity: 9 }) }).state;
  assert.equal([saved.saving, saved.queue?.capacity], [false, 9]);
  assert.match(saved.message!, /Saved/);
  const failed = reduceAdminQueue(saving, { type: 'save-failed', problem: 'Capacity must be at most 100000' }).state;
  assert.equal([failed.saving, failed.problem, failed.message], [false, 'Capacity must be at most 100000', undefined]);
});

test('the proof-of-work difficulty is sent only when the admin changed it; 0 turns it off; out of range is refused', () => {
  const ready = run([{ type: 'select', id: 'p1' }, { type: 'loaded', id: 'p1', queue: status(), saves: 0 }]).state;
  const untouched = reduceAdminQueue(reduceAdminQueue(ready, { type: 'edit', field: 'capacity', value: '6' }).state, { type: 'save' });
  assert.equal(untouched.send, { capacity: 6, admitPerMinute: 60, state: 'OPEN' }, 'the default is not pinned by a save of other fields');
  const harder = reduceAdminQueue(reduceAdminQueue(ready, { type: 'edit', field: 'proofOfWorkMaxNumber', value: ' 400000 ' }).state, { type: 'save' });
  assert.equal(harder.send, { capacity: 5, admitPerMinute: 60, state: 'OPEN', proofOfWorkMaxNumber: 400_000 });
  assert.is(reduceAdminQueue(reduceAdminQueue(ready, { type: 'edit', field: 'proofOfWorkMaxNumber', value: '0' }).state, { type: 'save' }).send?.proofOfWorkMaxNumber, 0);
  for (const value of ['', '-1', '2.5', '100000001', 'lots']) {
    const refused = reduceAdminQueue(reduceAdminQueue(ready, { type: 'edit', field: 'proofOfWorkMaxNumber', value }).state, { type: 'save' });
    assert.is(refused.send, undefined, value);
    assert.match(refused.state.problem!, /proof-of-work difficulty is a whole number from 0 \(off\)/);
  }
});

test('nothing is saved before a queue is chosen', () => {
  assert.is(reduceAdminQueue(initialAdminQueue(), { type: 'save' }).send, undefined);
});

test.run();
