import type { Response } from 'express';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Writes `body` as a JSON answer with its length: what `res.json` sends for a plain object, without
 * the per-call work a status poll never needs (looking the type up in the mime table and re-formatting
 * it, reading app settings, checking freshness for a 304). For answers where that work matters (a
 * type or validator the route sets, conditional requests) use `res.json`.
 */
export function sendJson(res: Response, body: unknown): void {
  const text = JSON.stringify(body) as string | undefined; // undefined for undefined, a function, a symbol
  if (text === undefined) {
    res.end();
    return;
  }
  res.setHeader('content-type', JSON_TYPE);
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}
