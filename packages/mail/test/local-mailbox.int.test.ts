/**
 * The standalone mailbox: mail sent by the platform's own mailer over real SMTP lands in it, is
 * listed and shown on its page, and is still there after a restart on the same data directory.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMailer, MailError, startLocalMailbox, type LocalMailbox, type StoredMailSummary } from '../src/index.ts';

// A 1×1 PNG, standing in for a ticket's QR code.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

let dataDir = '';
let mailbox: LocalMailbox;

test.before(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'mailbox-'));
  mailbox = await startLocalMailbox({ dataDir, maxMessageBytes: 64 * 1024 });
});

test.after(async () => {
  await mailbox.close();
  await rm(dataDir, { recursive: true, force: true });
});

test('a mail sent over SMTP is listed on the page and shown with its HTML, inline image and attachment', async () => {
  const mailer = createMailer({ smtpUrl: mailbox.smtpUrl, from: 'TicketPing <tickets@ticketping.test>', timeoutMs: 5000 });
  try {
    const sent = await mailer.send({
      to: 'fan@example.test',
      subject: 'Your tickets for Hamlet',
      text: 'Seat A-12. Show the code at the door.',
      html: '<p>Seat <b>A-12</b></p><img alt="ticket" src="cid:qr-1"><script>alert(1)</script>',
      attachments: [
        { filename: 'qr.png', content: PNG, contentType: 'image/png', cid: 'qr-1' },
        { filename: 'hamlet.ics', content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', contentType: 'text/calendar' },
      ],
    });
    assert.equal(sent.accepted, ['fan@example.test']);
  } finally {
    mailer.close();
  }

  const { messages } = await (await fetch(`${mailbox.url}api/messages`)).json() as { messages: StoredMailSummary[] };
  assert.is(messages.length, 1);
  const [mail] = messages;
  assert.equal({ from: mail!.from, to: mail!.to, subject: mail!.subject }, { from: 'tickets@ticketping.test', to: ['fan@example.test'], subject: 'Your tickets for Hamlet' });

  const list = await (await fetch(mailbox.url)).text();
  assert.match(list, `href="/messages/${mail!.id}"`);
  assert.match(list, 'Your tickets for Hamlet');

  const view = await fetch(`${mailbox.url}messages/${mail!.id}`);
  const viewHtml = await view.text();
  assert.match(viewHtml, 'Seat A-12. Show the code at the door.');
  assert.match(viewHtml, `src="/messages/${mail!.id}/html"`);
  assert.match(viewHtml, 'hamlet.ics');

  // The mail's own HTML is served with a sandbox policy, so its script cannot run; the inline QR is a data URL.
  const body = await fetch(`${mailbox.url}messages/${mail!.id}/html`);
  assert.match(body.headers.get('content-security-policy') ?? '', /^sandbox;/);
  assert.match(await body.text(), 'src="data:image/png;base64,');

  const details = await (await fetch(`${mailbox.url}api/messages/${mail!.id}`)).json() as { attachments: { filename: string }[] };
  const ics = details.attachments.findIndex((a) => a.filename === 'hamlet.ics');
  const download = await fetch(`${mailbox.url}messages/${mail!.id}/attachments/${ics}`);
  assert.match(download.headers.get('content-disposition') ?? '', 'filename="hamlet.ics"');
  assert.is(await download.text(), 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
});

test('an unknown or malformed message id is a 404, never a file read outside the mailbox', async () => {
  const api = await fetch(`${mailbox.url}api/messages/nope-00000000`);
  assert.is(api.status, 404);
  assert.is(api.headers.get('content-type'), 'application/problem+json');
  assert.is((await api.json() as { code: string }).code, 'NOT_FOUND');
  assert.is((await fetch(`${mailbox.url}messages/..%2F..%2Fetc%2Fpasswd.eml`)).status, 404);
  assert.is((await fetch(`${mailbox.url}messages/x`, { method: 'POST' })).status, 405);
});

test('a mail over the size limit is refused with a permanent MailError, and nothing is stored', async () => {
  const mailer = createMailer({ smtpUrl: mailbox.smtpUrl, from: 'tickets@ticketping.test', timeoutMs: 5000 });
  const before = mailbox.list().length;
  try {
    const error = await mailer.send({ to: 'fan@example.test', subject: 'big', text: 'x'.repeat(128 * 1024) }).then(() => undefined, (e: unknown) => e);
    assert.instance(error, MailError);
    assert.is((error as MailError).code, 'MAIL_REJECTED');
    assert.is((error as MailError).transient, false);
    assert.match((error as MailError).message + (error as MailError).detail, /552|size/i);
  } finally {
    mailer.close();
  }
  assert.is(mailbox.list().length, before);
});

test('messages survive a restart on the same data directory', async () => {
  const before = mailbox.list().map((m) => m.subject);
  await mailbox.close();
  mailbox = await startLocalMailbox({ dataDir });
  assert.equal(mailbox.list().map((m) => m.subject), before);
  const mail = await mailbox.read(mailbox.list()[0]!.id);
  assert.match(mail?.text ?? '', 'Seat A-12');
});

test('beyond maxMessages the oldest mail is deleted, from the list and from the disk', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mailbox-small-'));
  const small = await startLocalMailbox({ dataDir: dir, maxMessages: 2 });
  const mailer = createMailer({ smtpUrl: small.smtpUrl, from: 'tickets@ticketping.test', timeoutMs: 5000 });
  try {
    for (const n of [1, 2, 3]) await mailer.send({ to: 'fan@example.test', subject: `mail ${n}`, text: String(n) });
    assert.equal(small.list().map((m) => m.subject), ['mail 3', 'mail 2']);
    assert.is((await readdir(dir)).length, 4, 'two messages, an .eml and a .json each');
  } finally {
    mailer.close();
    await small.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
