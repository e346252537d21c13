import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MailError } from './mailer.ts';
import { retryDelayMs, startMailOutbox, type MailOutbox } from './mail-outbox.ts';

interface Row { id: string; attempts: number; state: 'due' | 'sent' | 'retry' | 'failed'; delayMs?: number }
const silent = { warn: () => undefined, error: () => undefined };

function memoryOutbox(rows: Row[], send: (row: Row) => Promise<void>): MailOutbox<Row, null> {
  return {
    transaction: (work) => work(null),
    lockDue: async (_tx, limit) => rows.filter((r) => r.state === 'due').slice(0, limit),
    async send(_tx, row) {
      await send(row);
      row.state = 'sent';
      return true;
    },
    markRetry: async (_tx, row, delayMs) => {
      Object.assign(row, { state: 'retry', delayMs, attempts: row.attempts + 1 });
    },
    markFailed: async (_tx, row) => {
      Object.assign(row, { state: 'failed', attempts: row.attempts + 1 });
    },
    logFields: (row) => ({ id: row.id }),
  };
}

test('a pass sends what is due; a transient failure is retried with backoff, a permanent one and the last attempt are given up', async () => {
  const rows: Row[] = [
    { id: 'ok', attempts: 0, state: 'due' },
    { id: 'busy', attempts: 2, state: 'due' },
    { id: 'refused', attempts: 0, state: 'due' },
    { id: 'last', attempts: 7, state: 'due' },
  ];
  let sent = 0;
  const sender = startMailOutbox(memoryOutbox(rows, async (row) => {
    if (row.id === 'busy' || row.id === 'last') throw new MailError('MAIL_UNAVAILABLE', 'server busy', { transient: true });
    if (row.id === 'refused') throw new MailError('MAIL_REJECTED', 'no such mailbox', { transient: false });
  }), { name: 'test mail', logger: silent, pollIntervalMs: 60_000, maxAttempts: 8, onSent: () => sent++ });
  await sender.stop(); // the pass the loop began at start is finished by stop, and no other begins
  assert.is(sent, 1);
  assert.equal(rows.map((r) => [r.id, r.state]), [['ok', 'sent'], ['busy', 'retry'], ['refused', 'failed'], ['last', 'failed']]);
  assert.is(rows[1]!.delayMs, retryDelayMs(2));
  assert.is(retryDelayMs(2), 8000);
  assert.is(retryDelayMs(20), 600_000, 'at most 10 minutes');
});

test.run();
