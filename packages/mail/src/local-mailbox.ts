import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { renderList, renderMessage } from './local-mailbox-pages.ts';

export interface LocalMailboxOptions {
  /** Messages are kept here (created if missing), one `<id>.eml` and one `<id>.json` each, so they survive a restart. */
  dataDir: string;
  /** Port of the web page and its JSON API on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Port of the SMTP server on 127.0.0.1; 0 (default) picks a free one. */
  smtpPort?: number;
  /** The oldest messages beyond this many are deleted. Default 1000. */
  maxMessages?: number;
  /** Larger messages are refused with 552. Default 10 MB. */
  maxMessageBytes?: number;
}

/** What the list shows of a stored message. */
export interface StoredMailSummary {
  id: string;
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  size: number;
}

export interface StoredMail extends StoredMailSummary {
  text: string;
  /** The HTML body with inline (`cid:`) images turned into data URLs; empty when there is none. */
  html: string;
  attachments: { filename: string; contentType: string; size: number }[];
}

export interface LocalMailbox {
  /** Hand this to `createMailer({ smtpUrl })`. */
  smtpUrl: string;
  /** The page that lists the mail, for the standalone banner. */
  url: string;
  /** Newest first. */
  list(): StoredMailSummary[];
  read(id: string): Promise<StoredMail | undefined>;
  close(): Promise<void>;
}

const ID = /^[0-9a-z]+-[0-9a-f]{8}$/;

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return objects.flatMap((o) => o.value.map((a) => a.address ?? a.name));
}

/**
 * A mailbox for standalone mode (issue 16: "a local mailbox the user can open from the printed
 * banner"): a real SMTP server on loopback that accepts any sender and recipient and keeps each
 * message under `dataDir`, plus a small web page on loopback that lists and shows them
 * (`GET /`, `/messages/<id>`, and the JSON `GET /api/messages[/<id>]`). No authentication and no
 * TLS: both listen on 127.0.0.1 only, for the person running `npm start` on their own machine.
 */
export async function startLocalMailbox(options: LocalMailboxOptions): Promise<LocalMailbox> {
  const dir = path.resolve(options.dataDir);
  await mkdir(dir, { recursive: true });
  const maxMessages = options.maxMessages ?? 1000;
  const maxBytes = options.maxMessageBytes ?? 10 * 1024 * 1024;
  const index = await loadIndex(dir);

  const parse = async (id: string): Promise<ParsedMail | undefined> => {
    if (!ID.test(id)) return undefined;
    const raw = await readFile(path.join(dir, `${id}.eml`)).catch(() => undefined);
    return raw && simpleParser(raw);
  };

  const store = async (raw: Buffer): Promise<void> => {
    const parsed = await simpleParser(raw);
    const id = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const summary: StoredMailSummary = {
      id, receivedAt: new Date().toISOString(), from: addresses(parsed.from)[0] ?? '', to: addresses(parsed.to),
      subject: parsed.subject ?? '', size: raw.length,
    };
    // The .json is written last and by rename: a message is listed only once it is whole.
    await writeFile(path.join(dir, `${id}.eml`), raw);
    await writeFile(path.join(dir, `${id}.json.tmp`), JSON.stringify(summary));
    await rename(path.join(dir, `${id}.json.tmp`), path.join(dir, `${id}.json`));
    index.unshift(summary);
    for (const old of index.splice(maxMessages)) {
      await rm(path.join(dir, `${old.id}.json`), { force: true });
      await rm(path.join(dir, `${old.id}.eml`), { force: true });
    }
  };

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: maxBytes,
    banner: 'TicketPing local mailbox',
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.once('end', () => {
        if (stream.sizeExceeded) return callback(Object.assign(new Error('Message too large'), { responseCode: 552 }));
        store(Buffer.concat(chunks)).then(() => callback(), (error: Error) => callback(Object.assign(error, { responseCode: 451 })));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.server.once('error', reject);
    smtp.listen(options.smtpPort ?? 0, '127.0.0.1', () => resolve());
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const read = async (id: string): Promise<StoredMail | undefined> => {
    const summary = index.find((m) => m.id === id);
    const parsed = summary && await parse(id);
    if (!summary || !parsed) return undefined;
    return {
      ...summary, text: parsed.text ?? '', html: parsed.html || '',
      attachments: parsed.attachments.map((a) => ({ filename: a.filename ?? 'attachment', contentType: a.contentType, size: a.size })),
    };
  };

  const web = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'mailbox error');
      else res.destroy();
    });
  });
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const { pathname } = new URL(req.url ?? '/', 'http://mailbox');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed', { allow: 'GET, HEAD' });
    if (pathname === '/') return send(res, 200, 'text/html; charset=utf-8', renderList(index), PAGE_HEADERS);
    if (pathname === '/api/messages') return send(res, 200, 'application/json', JSON.stringify({ messages: index }));
    const match = /^\/(api\/)?messages\/([^/]+?)(\.eml|\/html|\/attachments\/(\d+))?$/.exec(pathname);
    const id = match?.[2] ?? '';
    const parsed = match && index.some((m) => m.id === id) ? await parse(id) : undefined;
    if (!match || !parsed) return notFound(res, pathname.startsWith('/api/'));
    const [, api, , suffix, attachmentIndex] = match;
    if (api && !suffix) return send(res, 200, 'application/json', JSON.stringify(await read(id)));
    if (api) return notFound(res, true);
    if (!suffix) return send(res, 200, 'text/html; charset=utf-8', renderMessage((await read(id))!), PAGE_HEADERS);
    if (suffix === '.eml') return send(res, 200, 'message/rfc822', await readFile(path.join(dir, `${id}.eml`)), { 'content-disposition': `attachment; filename="${id}.eml"` });
    if (suffix === '/html') {
      // The mail's own HTML is shown in a sandboxed frame: no scripts, no requests out, no access to this page.
      return send(res, 200, 'text/html; charset=utf-8', parsed.html || '', {
        'content-security-policy': "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'",
        'x-content-type-options': 'nosniff',
      });
    }
    const attachment = parsed.attachments[Number(attachmentIndex)];
    if (!attachment) return notFound(res, false);
    return send(res, 200, 'application/octet-stream', attachment.content, {
      'content-disposition': `attachment; filename="${(attachment.filename ?? 'attachment').replace(/["\\\r\n]/g, '_')}"`,
      'x-content-type-options': 'nosniff',
    });
  };
  await new Promise<void>((resolve, reject) => {
    web.once('error', reject);
    web.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const webPort = (web.address() as AddressInfo).port;

  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    url: `http://127.0.0.1:${webPort}/`,
    list: () => [...index],
    read,
    async close() {
      web.closeAllConnections();
      await Promise.all([
        new Promise<void>((resolve) => web.close(() => resolve())),
        new Promise<void>((resolve) => smtp.close(() => resolve())),
      ]);
    },
  };
}

const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; img-src data:",
  'x-content-type-options': 'nosniff',
};

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
  res.end(body);
}

function notFound(res: http.ServerResponse, api: boolean): void {
  if (!api) return send(res, 404, 'text/plain; charset=utf-8', 'no such message');
  send(res, 404, 'application/problem+json', JSON.stringify({
    type: 'https://ticketping.dev/problems/not-found', title: 'Not found', status: 404, code: 'NOT_FOUND', detail: 'No such message',
  }));
}

async function loadIndex(dir: string): Promise<StoredMailSummary[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json') && ID.test(f.slice(0, -5)));
  const summaries = await Promise.all(files.map(async (f) => JSON.parse(await readFile(path.join(dir, f), 'utf8')) as StoredMailSummary));
  return summaries.sort((a, b) => (a.id < b.id ? 1 : -1));
}
