import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSmtpUrl } from './mailer.ts';

test('smtp:// is STARTTLS-capable on 587 by default; smtps:// is TLS on 465', () => {
  assert.equal(parseSmtpUrl('smtp://mail.example.org'), { host: 'mail.example.org', port: 587, secure: false });
  assert.equal(parseSmtpUrl('smtps://mail.example.org'), { host: 'mail.example.org', port: 465, secure: true });
  assert.equal(parseSmtpUrl('smtp://127.0.0.1:1025'), { host: '127.0.0.1', port: 1025, secure: false });
  assert.equal(parseSmtpUrl('smtp://[::1]:25'), { host: '::1', port: 25, secure: false });
});

test('credentials in the URL are percent-decoded', () => {
  assert.equal(parseSmtpUrl('smtps://tickets%40example.org:p%3Ass%2Fw@mail.example.org:465').auth, { user: 'tickets@example.org', pass: 'p:ss/w' });
});

test('anything but an smtp(s) URL is refused with a message that says what is expected', () => {
  assert.throws(() => parseSmtpUrl('mail.example.org:25'), /smtp:\/\/ or smtps:\/\//);
  assert.throws(() => parseSmtpUrl('http://mail.example.org'), /must start with smtp:\/\/ or smtps:\/\//);
  assert.throws(() => parseSmtpUrl(''), /not a URL/);
});

test.run();
