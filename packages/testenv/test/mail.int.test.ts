import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMailer } from '@ticketping/mail';
import { randomPrefix, testEnv, waitForMail } from '@ticketping/testing';

test('a mail sent over SMTP to the test environment shows up in Mailpit', async () => {
  const to = `${randomPrefix('fan')}@example.test`;
  const mailer = createMailer({ smtpUrl: testEnv.smtpUrl, from: 'TicketPing <tickets@ticketping.test>', timeoutMs: 5000 });
  try {
    await mailer.send({ to, subject: 'Welcome', text: 'You are in the queue.' });
  } finally {
    mailer.close();
  }
  const mail = await waitForMail({ to, subject: 'Welcome' }, { timeoutMs: 10_000 });
  assert.is(mail.From.Address, 'tickets@ticketping.test');
  assert.is(mail.Text.trim(), 'You are in the queue.');
});

test.run();
