import escapeHtml from 'escape-html';
import type { StoredMail, StoredMailSummary } from './local-mailbox.ts';

const STYLE = `body{font:15px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ddd}
a{color:#0b57d0}pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem}iframe{width:100%;height:32rem;border:1px solid #ddd}
.muted{color:#666}`;

function page(title: string, body: string, refreshSeconds?: number): string {
  const refresh = refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">${refresh}<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** The inbox: newest first, reloaded every few seconds so a mail the platform just sent shows up by itself. */
export function renderList(messages: StoredMailSummary[]): string {
  const rows = messages.map((m) => `<tr><td class="muted">${escapeHtml(new Date(m.receivedAt).toLocaleString('en-GB'))}</td>`
    + `<td>${escapeHtml(m.to.join(', '))}</td><td><a href="/messages/${m.id}">${escapeHtml(m.subject || '(no subject)')}</a></td></tr>`);
  const body = messages.length
    ? `<table><thead><tr><th>Received</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
    : '<p class="muted">No mail yet. Mail the platform sends (tickets, sign-up checks) appears here.</p>';
  return page('Local mailbox', `<h1>Local mailbox</h1>${body}`, 5);
}

export function renderMessage(mail: StoredMail): string {
  const attachments = mail.attachments.map((a, i) => `<li><a href="/messages/${mail.id}/attachments/${i}">${escapeHtml(a.filename)}</a>`
    + ` <span class="muted">${escapeHtml(a.contentType)}, ${a.size} bytes</span></li>`);
  const body = [
    '<p><a href="/">&larr; all mail</a></p>',
    `<h1>${escapeHtml(mail.subject || '(no subject)')}</h1>`,
    `<p>From <b>${escapeHtml(mail.from)}</b> to <b>${escapeHtml(mail.to.join(', '))}</b><br>`,
    `<span class="muted">${escapeHtml(new Date(mail.receivedAt).toLocaleString('en-GB'))} · <a href="/messages/${mail.id}.eml">raw</a></span></p>`,
    mail.html ? `<iframe sandbox title="message" src="/messages/${mail.id}/html"></iframe>` : '',
    mail.text ? `<h2>Text</h2><pre>${escapeHtml(mail.text)}</pre>` : '',
    attachments.length ? `<h2>Attachments</h2><ul>${attachments.join('')}</ul>` : '',
  ];
  return page(mail.subject || 'Mail', body.join(''));
}
