/**
 * The tickets e-mail: a confirmed order's holder gets one mail with the tickets, through real SMTP
 * servers (packages/mail's local mailbox, as standalone runs it: smtp-server on loopback; and the
 * test environment's Mailpit, a separate server as a cluster would use), sent from the mail outbox
 * written with the tickets, so a redelivered confirmation mails nobody twice.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startLocalMailbox, type LocalMailbox } from '@ticketping/mail';
import { eventually, mailAttachment, testEnv, waitForMail } from '@ticketping/testing';
import { TOPICS } from '../src/tickets/tickets.events.ts';
import { startTickets, type Harness } from './harness.ts';

let h: Harness;
let mailbox: LocalMailbox;
let dataDir: string;

test.before(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tickets-mail-'));
  mailbox = await startLocalMailbox({ dataDir });
  h = await startTickets({ env: { SMTP_URL: mailbox.smtpUrl, MAIL_POLL_INTERVAL_MS: '20', PUBLIC_URL: 'https://tickets.example.test' } });
});
test.after(async () => {
  await h?.close();
  await mailbox?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const mailsTo = (email: string) => mailbox.list().filter((m) => m.to.includes(email));

test('a confirmed order mails its holder the tickets once, with a QR per ticket and a link to My tickets', async () => {
  const fan = await h.auth.signUp();
  const show = await h.publishShow(3);
  const confirmed = await h.confirmOrder(fan.id, show, show.seatIds.slice(0, 2));
  const [summary] = await eventually(() => { const m = mailsTo(fan.email); return m.length ? m : undefined; }, 15_000);
  assert.is(summary!.subject, 'Your tickets for Hamlet');
  const mail = (await mailbox.read(summary!.id))!;
  assert.match(mail.text, /Section A, row 3, seat 1/);
  assert.match(mail.text, /Section A, row 3, seat 2/);
  assert.match(mail.text, /https:\/\/tickets\.example\.test\/#\/tickets/);
  assert.equal(mail.attachments.map((a) => a.contentType), ['image/png', 'image/png'], 'one QR image per ticket');

  // The same confirmation again (a redelivery, and a copy with a new event id): no second mail.
  await h.bus.publish(TOPICS.orders, [confirmed, { ...confirmed, id: crypto.randomUUID() }]);
  // A later order of the same fan is mailed after both were handled (one consumer, in order), so
  // once it arrives, a duplicate of the first would have arrived too.
  await h.confirmOrder(fan.id, show, show.seatIds.slice(2));
  await eventually(() => mailsTo(fan.email).length >= 2 || undefined, 15_000);
  assert.is(mailsTo(fan.email).length, 2, 'one mail per order');
  const row = await h.db.knex('ticket_mails').where('order_id', (confirmed.payload as { orderId: string }).orderId).first();
  assert.ok(row.sent_at, 'the outbox row is marked sent');
});

test('a burst of confirmations is mailed by passes side by side, every order once', async () => {
  const fan = await h.auth.signUp();
  const show = await h.publishShow(24);
  const orderIds: string[] = [];
  for (let i = 0; i < 24; i += 2) orderIds.push(((await h.confirmOrder(fan.id, show, show.seatIds.slice(i, i + 2))).payload as { orderId: string }).orderId);
  await eventually(() => mailsTo(fan.email).length >= orderIds.length || undefined, 30_000);
  const rows = await eventually(async () => {
    const r = await h.db.knex('ticket_mails').whereIn('order_id', orderIds).whereNotNull('sent_at');
    return r.length === orderIds.length ? r : undefined;
  }, 15_000);
  assert.equal(rows.map((r) => r.attempts), orderIds.map(() => 1), 'each order taken by one pass, once');
  assert.is(mailsTo(fan.email).length, orderIds.length);
});

test('through Mailpit: the mail a fan opens has a QR image per ticket, their seats and the My tickets link', async () => {
  const viaMailpit = await startTickets({ env: { SMTP_URL: testEnv.smtpUrl, MAIL_POLL_INTERVAL_MS: '20', PUBLIC_URL: 'https://tickets.example.test' } });
  try {
    const fan = await viaMailpit.auth.signUp();
    const show = await viaMailpit.publishShow(2);
    const confirmed = await viaMailpit.confirmOrder(fan.id, show, show.seatIds);
    const orderId = (confirmed.payload as { orderId: string }).orderId;
    const mail = await waitForMail({ to: fan.email, subject: 'Your tickets for Hamlet' }, { timeoutMs: 20_000 });
    assert.is(mail.From.Address, 'tickets@ticketping.invalid');
    assert.is(mail.MessageID, `order-${orderId}@tickets.ticketping`, 'a stable Message-ID: a resent mail is recognisable');
    assert.match(mail.Text, /Section A, row 3, seat 1/);
    assert.match(mail.Text, /Section A, row 3, seat 2/);
    assert.match(mail.HTML, 'href="https://tickets.example.test/#/tickets"');
    // Each QR is an inline image the HTML shows (cid:), and it decodes as a PNG.
    assert.equal(mail.Inline.map((a) => [a.ContentType, a.ContentID]).sort(), [['image/png', 'ticket-1'], ['image/png', 'ticket-2']]);
    for (const part of mail.Inline) assert.match(mail.HTML, `src="cid:${part.ContentID}"`);
    const png = await mailAttachment(mail, mail.Inline[0]!.PartID);
    assert.equal([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
  } finally {
    await viaMailpit.close();
  }
});

test('an SMTP server that is down delays the mail: it is retried, not lost', async () => {
  const closed = await startLocalMailbox({ dataDir: path.join(dataDir, 'gone') });
  const gone = closed.smtpUrl;
  await closed.close();
  const down = await startTickets({ env: { SMTP_URL: gone, MAIL_POLL_INTERVAL_MS: '20' } });
  try {
    const fanThere = await down.auth.signUp();
    const showThere = await down.publishShow(1);
    const confirmed = await down.confirmOrder(fanThere.id, showThere, showThere.seatIds);
    const orderId = (confirmed.payload as { orderId: string }).orderId;
    const row = await eventually(async () => {
      const r = await down.db.knex('ticket_mails').where('order_id', orderId).first();
      return r?.attempts >= 1 ? r : undefined;
    }, 15_000);
    assert.is(row.sent_at, null);
    assert.is(row.failed_at, null, 'a transient failure is not given up');
    assert.ok(new Date(row.next_attempt_at).getTime() > Date.now(), 'the next attempt waits');
    assert.match(row.last_error, /./);
  } finally {
    await down.close();
  }
});

test.run();
