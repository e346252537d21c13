export { createMailer, parseSmtpUrl, MailError, type Mailer, type MailerConfig, type MailMessage, type MailAttachment, type SentMail } from './mailer.ts';
export { startLocalMailbox, type LocalMailbox, type LocalMailboxOptions, type StoredMail, type StoredMailSummary } from './local-mailbox.ts';
export { startMailOutbox, retryDelayMs, type MailOutbox, type MailOutboxOptions, type MailOutboxSender, type OutboxMail } from './mail-outbox.ts';
