import { createTransport, type NodemailerError } from 'nodemailer';
import { AppError } from '@ticketping/http';

export interface MailerConfig {
  /**
   * Where to hand mail over: `smtp://[user:pass@]host[:port]` (STARTTLS when the server offers it)
   * or `smtps://…` (TLS from the first byte, port 465 by default).
   */
  smtpUrl: string;
  /** The sender every message carries, e.g. `TicketPing <tickets@example.org>`. */
  from: string;
  /** Bound on each wait (connect, greeting, any reply); a dead or stalled server fails within it. Default 10 s. */
  timeoutMs?: number;
  /** Connections kept open and used in parallel, so a burst of mails does not pay a handshake each. Default 3. */
  maxConnections?: number;
}

export interface MailAttachment {
  filename: string;
  content: Buffer | string;
  contentType?: string;
  /** Set to show the attachment inline: the HTML refers to it as `<img src="cid:…">`. */
  cid?: string;
}

export interface MailMessage {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
  attachments?: MailAttachment[];
  /** Extra headers, e.g. a stable `Message-ID` the caller derives from the event, so a resent mail is recognisable. */
  headers?: Record<string, string>;
}

export interface SentMail {
  messageId: string;
  accepted: string[];
  /** Recipients the server refused while it took the others; empty when all were taken. */
  rejected: string[];
}

export interface Mailer {
  send(message: MailMessage): Promise<SentMail>;
  /** Connects, greets and (with credentials) logs in; resolves once the server would take mail. */
  verify(): Promise<void>;
  /** Closes the pooled connections; pending sends are failed. */
  close(): void;
}

/**
 * Why a mail was not handed over. `transient` failures (the server was unreachable, timed out, or
 * answered 4xx) may go through on a later try, so callers delivering from an outbox retry them;
 * permanent ones (a 5xx refusal, a malformed address) will not, and retrying only repeats them.
 */
export class MailError extends AppError {
  readonly transient: boolean;
  readonly smtpResponse: string | undefined;

  constructor(code: 'MAIL_UNAVAILABLE' | 'MAIL_TIMEOUT' | 'MAIL_REJECTED', detail: string, options: { transient: boolean; smtpResponse?: string; cause?: unknown }) {
    super(options.transient ? 503 : 502, code, options.transient ? 'Mail server unavailable' : 'Mail refused', { detail, cause: options.cause });
    this.transient = options.transient;
    this.smtpResponse = options.smtpResponse;
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** The SMTP settings a URL carries; throws a plain Error naming the problem (a configuration mistake, found at start). */
export function parseSmtpUrl(smtpUrl: string): { host: string; port: number; secure: boolean; auth?: { user: string; pass: string } } {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new Error(`SMTP URL is not a URL: expected smtp://host:port or smtps://user:pass@host:port`);
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new Error(`SMTP URL must start with smtp:// or smtps://, not ${url.protocol}//`);
  }
  const secure = url.protocol === 'smtps:';
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const auth = url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined;
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port, secure, ...(auth ? { auth } : {}) };
}

/** Names the server without its credentials, for messages that end up in logs. */
function serverName(smtpUrl: string): string {
  const { host, port } = parseSmtpUrl(smtpUrl);
  return `${host}:${port}`;
}

function toMailError(error: unknown, server: string): MailError {
  if (error instanceof MailError) return error;
  const e = error as NodemailerError;
  const response = e.response;
  if (e.code === 'ETIMEDOUT') {
    return new MailError('MAIL_TIMEOUT', `SMTP server ${server} did not answer in time (${e.timeoutType ?? 'waiting for a reply'})`, { transient: true, cause: error });
  }
  if (e.responseCode !== undefined) {
    const permanent = e.permanent ?? e.responseCode >= 500;
    return new MailError(permanent ? 'MAIL_REJECTED' : 'MAIL_UNAVAILABLE',
      `SMTP server ${server} refused ${e.command ?? 'the mail'}: ${response ?? e.responseCode}`,
      { transient: !permanent, cause: error, ...(response ? { smtpResponse: response } : {}) });
  }
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') {
    return new MailError('MAIL_REJECTED', `mail not sent: ${e.message}`, { transient: false, cause: error });
  }
  return new MailError('MAIL_UNAVAILABLE', `SMTP server ${server} unreachable: ${e.originalCode ?? e.code ?? ''} ${e.message}`.replace(/\s+/g, ' '), { transient: true, cause: error });
}

/**
 * An SMTP mailer over nodemailer's pooled transport. One per process: it keeps up to
 * `maxConnections` connections open and queues sends beyond them.
 */
export function createMailer(config: MailerConfig): Mailer {
  const smtp = parseSmtpUrl(config.smtpUrl);
  const server = serverName(config.smtpUrl);
  const timeout = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const transport = createTransport({
    pool: true,
    ...smtp,
    maxConnections: config.maxConnections ?? 3,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    dnsTimeout: timeout,
    // A connection that closes mid-send is retried once on a fresh one, not five times: the caller
    // (an outbox, a retrying consumer) owns retries, and its deadline must hold.
    maxRequeues: 1,
  }, { from: config.from });

  return {
    async send(message) {
      try {
        const info = await transport.sendMail({
          to: message.to,
          subject: message.subject,
          text: message.text,
          ...(message.html !== undefined ? { html: message.html } : {}),
          ...(message.attachments ? { attachments: message.attachments } : {}),
          ...(message.headers ? { headers: message.headers } : {}),
        });
        const addresses = (list: unknown[] | undefined) => (list ?? []).map((a) => (typeof a === 'string' ? a : (a as { address: string }).address));
        return { messageId: info.messageId, accepted: addresses(info.accepted), rejected: addresses(info.rejected) };
      } catch (error) {
        throw toMailError(error, server);
      }
    },
    async verify() {
      try {
        await transport.verify();
      } catch (error) {
        throw toMailError(error, server);
      }
    },
    close() {
      transport.close();
    },
  };
}
