import type { IncomingHttpHeaders } from 'node:http';
import { IDENTITY_HEADERS, type Caller } from '@ticketping/http';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and ones the proxy recomputes: never copied through. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'expect']);

/**
 * Client headers a service must never see as sent: identity and internal credentials (spoofing,
 * seed-spec §11 S1), the client's own forwarding claims (replaced by what the gateway saw), the
 * access token (services trust the identity headers instead) and the body encoding (the gateway
 * forwards the decoded body).
 */
function dropFromClient(name: string): boolean {
  return HOP_BY_HOP.has(name) || isClientClaim(name) || name === 'content-encoding';
}

/** What a client may claim and the edge replaces with what it verified: identity, credentials, forwarding. */
function isClientClaim(name: string): boolean {
  return name.startsWith('x-user-') || name.startsWith('x-internal-')
    || name.startsWith('x-forwarded-') || name === 'forwarded' || name === 'x-real-ip'
    || name === 'authorization' || name === 'cookie';
}

export interface ForwardContext {
  caller: Caller | undefined;
  internalToken: string;
  requestId: string;
  clientIp: string;
  protocol: string;
}

/** The headers a service receives: the client's, cleaned, plus the identity the gateway vouches for. */
export function upstreamHeaders(incoming: IncomingHttpHeaders, context: ForwardContext): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value !== undefined && !dropFromClient(name)) headers[name] = value;
  }
  return vouchFor(headers, context);
}

/**
 * The same identity on a request the service serves itself (the in-process edge, one-hop.ts): the
 * client's claims are replaced in place; its other headers, framing included, stay as they came.
 */
export function vouchInPlace(headers: IncomingHttpHeaders, context: ForwardContext): void {
  for (const name in headers) if (isClientClaim(name)) delete headers[name];
  vouchFor(headers as Record<string, string | string[]>, context);
}

function vouchFor(headers: Record<string, string | string[]>, context: ForwardContext): Record<string, string | string[]> {
  headers[IDENTITY_HEADERS.internalToken] = context.internalToken;
  if (context.caller) {
    headers[IDENTITY_HEADERS.userId] = context.caller.id;
    headers[IDENTITY_HEADERS.role] = context.caller.role;
    if (context.caller.emailVerified) headers[IDENTITY_HEADERS.emailVerified] = '1';
  }
  headers['x-request-id'] = context.requestId;
  headers['x-forwarded-for'] = context.clientIp;
  headers['x-forwarded-proto'] = context.protocol;
  return headers;
}

/**
 * Response headers copied back to the client, from the raw name/value pairs undici hands over:
 * everything but hop-by-hop ones and the service's request id (the gateway sets its own). A name
 * that repeats (set-cookie) keeps every value.
 */
export function clientHeaders(raw: readonly Buffer[]): [string, string | string[]][] {
  const out = new Map<string, string | string[]>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    if ((name !== 'content-length' && HOP_BY_HOP.has(name)) || name === 'x-request-id') continue;
    const value = raw[i + 1]!.toString('latin1');
    const earlier = out.get(name);
    out.set(name, earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value]);
  }
  return [...out];
}
