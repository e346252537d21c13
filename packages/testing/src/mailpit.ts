/**
 * Reads the mail that reached the test environment's Mailpit (a real SMTP server) through its
 * HTTP API, so a test can assert on what a fan would find in their inbox.
 */
import { testEnv } from './index.ts';

interface MailpitAddress { Name: string; Address: string }

/** A message as Mailpit's API returns it (`GET /api/v1/message/{id}`), fields as Mailpit names them. */
export interface MailpitMessage {
  ID: string;
  MessageID: string;
  From: MailpitAddress;
  To: MailpitAddress[];
  Subject: string;
  Date: string;
  Text: string;
  HTML: string;
  Size: number;
  Inline: MailpitAttachment[];
  Attachments: MailpitAttachment[];
}

interface MailpitAttachment { PartID: string; FileName: string; ContentType: string; ContentID: string; Size: number }

interface Summary { ID: string; To: MailpitAddress[] | null; Subject: string }

export interface MailQuery {
  /** A recipient address; give each test its own (e.g. from `randomPrefix`) so suites never see each other's mail. */
  to: string;
  /** The subject, exactly, or a pattern it must match. */
  subject?: string | RegExp;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`Mailpit answered ${res.status} to GET ${url}: ${await res.text()}`);
  return await res.json() as T;
}

function matches(summary: Summary, query: MailQuery): boolean {
  const to = query.to.toLowerCase();
  if (!(summary.To ?? []).some((a) => a.Address.toLowerCase() === to)) return false;
  if (query.subject === undefined) return true;
  return typeof query.subject === 'string' ? summary.Subject === query.subject : query.subject.test(summary.Subject);
}

/**
 * Polls Mailpit until a message to `query.to` (with that subject) has arrived and returns it
 * whole, text, HTML and attachment list included; fails after `timeoutMs` naming what it saw.
 */
export async function waitForMail(query: MailQuery, options: { timeoutMs?: number; mailpitUrl?: string } = {}): Promise<MailpitMessage> {
  const base = (options.mailpitUrl ?? testEnv.mailpitUrl).replace(/\/$/, '');
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const search = `${base}/api/v1/search?limit=50&query=${encodeURIComponent(`to:"${query.to}"`)}`;
  let seen: Summary[] = [];
  for (;;) {
    seen = (await getJson<{ messages: Summary[] }>(search)).messages;
    const found = seen.find((m) => matches(m, query));
    if (found) return await getJson<MailpitMessage>(`${base}/api/v1/message/${encodeURIComponent(found.ID)}`);
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const subjects = seen.map((m) => JSON.stringify(m.Subject)).join(', ') || 'none';
  throw new Error(`no mail to ${query.to}${query.subject ? ` with subject ${String(query.subject)}` : ''} within ${options.timeoutMs ?? 10_000} ms (subjects to that address: ${subjects})`);
}

/** The bytes of one attachment of a Mailpit message. */
export async function mailAttachment(message: MailpitMessage, partId: string, options: { mailpitUrl?: string } = {}): Promise<Buffer> {
  const base = (options.mailpitUrl ?? testEnv.mailpitUrl).replace(/\/$/, '');
  const res = await fetch(`${base}/api/v1/message/${encodeURIComponent(message.ID)}/part/${encodeURIComponent(partId)}`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`Mailpit answered ${res.status} for part ${partId} of ${message.ID}`);
  return Buffer.from(await res.arrayBuffer());
}
