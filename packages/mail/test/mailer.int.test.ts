/**
 * The mailer against real SMTP servers: Mailpit (the test environment's) for the round trip, and
 * small smtp-server instances that refuse or stall, for the errors a caller has to tell apart.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SMTPServer } from 'smtp-server';
import { mailAttachment, randomPrefix, testEnv, waitForMail } from '@ticketping/testing';
import { createMailer, MailError } from '../src/index.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const FROM = 'TicketPing <tickets@ticketping.test>';

async function failure(promise: Promise<unknown>): Promise<MailError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.instance(error, MailError, `expected a MailError, got ${String(error)}`);
  return error as MailError;
}

/** A real SMTP server that answers RCPT TO with `code`. */
async function refusingServer(code: number, message: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], logger: false,
    onRcptTo(_address, _session, callback) { callback(Object.assign(new Error(message), { responseCode: code })); },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test('a mail with HTML, an inline image and an attachment reaches Mailpit as sent', async () => {
  const to = `${randomPrefix('fan')}@example.test`;
  const mailer = createMailer({ smtpUrl: testEnv.smtpUrl, from: FROM, timeoutMs: 5000 });
  try {
    await mailer.verify();
    const sent = await mailer.send({
      to, subject: 'Your tickets for Hamlet', text: 'Seat A-12.',
      html: '<p>Seat <b>A-12</b></p><img alt="ticket" src="cid:qr-1">',
      attachments: [
        { filename: 'qr.png', content: PNG, contentType: 'image/png', cid: 'qr-1' },
        { filename: 'hamlet.ics', content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', contentType: 'text/calendar' },
      ],
      headers: { 'X-Ticketping-Order': 'ord_123' },
    });
    assert.equal(sent.accepted, [to]);
    assert.equal(sent.rejected, []);
  } finally {
    mailer.close();
  }
  const mail = await waitForMail({ to, subject: 'Your tickets for Hamlet' });
  assert.equal(mail.From, { Name: 'TicketPing', Address: 'tickets@ticketping.test' });
  assert.match(mail.HTML, '<b>A-12</b>');
  assert.equal(mail.Inline.map((a) => [a.FileName, a.ContentID]), [['qr.png', 'qr-1']]);
  assert.equal(mail.Attachments.map((a) => a.FileName), ['hamlet.ics']);
  assert.equal(await mailAttachment(mail, mail.Inline[0]!.PartID), PNG);
});

test('an SMTP URL that is not smtp:// or smtps:// is refused when the mailer is created', () => {
  assert.throws(() => createMailer({ smtpUrl: 'http://127.0.0.1:25', from: FROM }), /smtp:\/\/ or smtps:\/\//);
  assert.throws(() => createMailer({ smtpUrl: 'not a url', from: FROM }), /not a URL/);
});

test('a server that is down is a transient MAIL_UNAVAILABLE, at once', async () => {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from: FROM, timeoutMs: 5000 });
  try {
    const error = await failure(mailer.send({ to: 'fan@example.test', subject: 's', text: 't' }));
    assert.is(error.code, 'MAIL_UNAVAILABLE');
    assert.is(error.transient, true);
    assert.is(error.status, 503);
    assert.match(error.detail ?? '', `127.0.0.1:${port}`);
    assert.match(error.detail ?? '', 'ECONNREFUSED');
  } finally {
    mailer.close();
  }
});

test('a server that never greets is a transient MAIL_TIMEOUT within the timeout', async () => {
  // Accepts the connection and says nothing, as an overloaded relay does.
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`, from: FROM, timeoutMs: 300 });
  const started = Date.now();
  try {
    const error = await failure(mailer.send({ to: 'fan@example.test', subject: 's', text: 't' }));
    assert.is(error.code, 'MAIL_TIMEOUT');
    assert.is(error.transient, true);
    // Bounded by the timeout (one retry on a fresh connection at most), not by nodemailer's 30 s default.
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  } finally {
    mailer.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

test('a recipient refused for good (5xx) is a permanent MAIL_REJECTED carrying the server\'s words', async () => {
  const server = await refusingServer(550, 'No such user here');
  const mailer = createMailer({ smtpUrl: server.url, from: FROM, timeoutMs: 5000 });
  try {
    const error = await failure(mailer.send({ to: 'nobody@example.test', subject: 's', text: 't' }));
    assert.is(error.code, 'MAIL_REJECTED');
    assert.is(error.transient, false);
    assert.match(error.detail ?? '', /550.*No such user here/);
  } finally {
    mailer.close();
    await server.close();
  }
});

test('a recipient deferred (4xx) is transient, so an outbox retries it', async () => {
  const server = await refusingServer(451, 'Try again later');
  const mailer = createMailer({ smtpUrl: server.url, from: FROM, timeoutMs: 5000 });
  try {
    const error = await failure(mailer.send({ to: 'fan@example.test', subject: 's', text: 't' }));
    assert.is(error.code, 'MAIL_UNAVAILABLE');
    assert.is(error.transient, true);
    assert.match(error.detail ?? '', /451.*Try again later/);
  } finally {
    mailer.close();
    await server.close();
  }
});

test.run();
