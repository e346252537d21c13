/**
 * Ticket codes: what the QR holds, and how a scanner checks it without a network.
 *
 * A code is `TP1.` + base64url of a compact binary payload signed with Ed25519:
 *
 *   format(1) flags(1) kidLength(1) kid(n) ticket(16) schedule(16) seat(16) holder(16) version(2) | signature(64)
 *   rotating codes add: step(4) mac(8)  — not covered by the signature
 *
 * Static codes (printing) are the signed part alone. Rotating codes append a time step (30 s) and
 * an HMAC of it under a key derived per ticket and version from the performance's rotation secret:
 * the fan's page computes it offline from the key it was given, a scanner of that performance
 * derives the same key, and a screenshot stops working about a minute later. Version goes up on a
 * transfer, so the old holder's signed part and rotating key both die.
 *
 * Only WebCrypto (`crypto.subtle`) and `btoa`/`atob` are used, so this file runs unchanged in the
 * scanner page and in Node.
 */

export const CODE_PREFIX = 'TP1.';
export const STEP_SECONDS = 30;
/** Steps a rotating code may lag (or lead, clock skew) the verifier's clock: 1 step ≈ a 60 s window. */
export const WINDOW_STEPS = 1;

const FORMAT = 1;
const FLAG_ROTATING = 1;
const SIGNATURE_BYTES = 64;
const MAC_BYTES = 8;
const ROTATING_BYTES = 4 + MAC_BYTES;

export type CodeMode = 'STATIC' | 'ROTATING';

export interface CodePayload {
  kid: string;
  mode: CodeMode;
  ticketId: string;
  scheduleId: string;
  seatId: string;
  /** The holder's account id (a uuid), so a scanner may show whose ticket it is. */
  holderId: string;
  version: number;
}

export type Verdict =
  | 'VALID'
  /** Not a genuine code: unreadable, unknown key, bad signature or bad rotating part. */
  | 'FORGED'
  /** A rotating code outside its window (a screenshot), or a static code where only rotating ones count. */
  | 'CODE_EXPIRED'
  /** Genuine, for another schedule (date) of this performance. */
  | 'WRONG_DATE'
  /** Genuine, for another performance. */
  | 'WRONG_EVENT'
  /** Genuine, but revoked (refund, cancellation) or superseded by a transfer. */
  | 'REVOKED';

export interface Verification {
  verdict: Verdict;
  /** Present once the signature checked out (every verdict but FORGED). */
  payload?: CodePayload;
  /** Rotating codes: the step the code was made in. */
  step?: number;
}

/** What a scanner holds for its performance: the offline bundle of `GET /check-in/performances/:id`. */
export interface ScannerContext {
  /** Public keys by kid (see `importVerifyKeys`). */
  keys: Map<string, CryptoKey>;
  performance: { mode: CodeMode; scheduleIds: readonly string[]; rotationSecret: Uint8Array };
  /** The schedule this gate admits to. */
  scheduleId: string;
  /** The highest revoked version of a ticket (codes with a version up to it are dead), if any. */
  revokedVersion(ticketId: string): number | undefined;
  /** Milliseconds since the epoch, when the code was scanned. */
  now: number;
}

export interface CodeSigner {
  kid: string;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

const subtle = () => globalThis.crypto.subtle;
const encoder = new TextEncoder();

export function uuidToBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new TypeError(`not a uuid: ${uuid}`);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesToUuid(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function u16(n: number): Uint8Array {
  return new Uint8Array([(n >>> 8) & 0xff, n & 0xff]);
}

function u32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** The part a signature covers. */
function payloadBytes(p: CodePayload): Uint8Array {
  const kid = encoder.encode(p.kid);
  if (kid.length === 0 || kid.length > 32) throw new RangeError('a key id is 1 to 32 bytes');
  if (!Number.isInteger(p.version) || p.version < 1 || p.version > 0xffff) throw new RangeError('a version is 1 to 65535');
  return concat(
    new Uint8Array([FORMAT, p.mode === 'ROTATING' ? FLAG_ROTATING : 0, kid.length]), kid,
    uuidToBytes(p.ticketId), uuidToBytes(p.scheduleId), uuidToBytes(p.seatId), uuidToBytes(p.holderId), u16(p.version),
  );
}

/** The signed code: a static code as is, the fixed part of a rotating one (see `rotateCode`). */
export async function signCode(payload: CodePayload, signer: CodeSigner): Promise<string> {
  const data = payloadBytes({ ...payload, kid: signer.kid });
  return CODE_PREFIX + toBase64Url(concat(data, await signer.sign(data)));
}

async function hmac(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await subtle().importKey('raw', concat(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle().sign('HMAC', k, concat(data)));
}

/** The per-ticket rotating key: given to the holder, derived again by a scanner of the performance. */
export function deriveTicketKey(rotationSecret: Uint8Array, ticketId: string, version: number): Promise<Uint8Array> {
  return hmac(rotationSecret, concat(encoder.encode('ticket-key'), uuidToBytes(ticketId), u16(version)));
}

export const stepAt = (ms: number) => Math.floor(ms / 1000 / STEP_SECONDS);

/** A rotating code for the moment `now`: the signed part plus the step and its MAC. */
export async function rotateCode(signedCode: string, ticketKey: Uint8Array, now: number): Promise<string> {
  const step = stepAt(now);
  const mac = (await hmac(ticketKey, u32(step))).slice(0, MAC_BYTES);
  return CODE_PREFIX + toBase64Url(concat(fromBase64Url(signedCode.slice(CODE_PREFIX.length)), u32(step), mac));
}

interface ParsedCode {
  payload: CodePayload;
  signed: Uint8Array<ArrayBuffer>;
  signature: Uint8Array<ArrayBuffer>;
  rotating?: { step: number; mac: Uint8Array };
}

const readUuid = (bytes: Uint8Array, at: number) => bytesToUuid(bytes.subarray(at, at + 16));

/** The parts of a code, or undefined when it is not one of ours. */
export function parseCode(text: string): ParsedCode | undefined {
  if (!text.startsWith(CODE_PREFIX)) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(text.slice(CODE_PREFIX.length).trim());
  } catch {
    return undefined;
  }
  if (bytes.length < 3 || bytes[0] !== FORMAT) return undefined;
  const rotatingFlag = ((bytes[1] ?? 0) & FLAG_ROTATING) !== 0;
  const kidLength = bytes[2] ?? 0;
  const fixed = 3 + kidLength + 16 * 4 + 2;
  const expected = fixed + SIGNATURE_BYTES + (rotatingFlag ? ROTATING_BYTES : 0);
  // A rotating code's signed part alone (no step yet) is not a code to admit with.
  if (kidLength === 0 || bytes.length !== expected) return undefined;
  let at = 3;
  const kid = new TextDecoder().decode(bytes.subarray(at, (at += kidLength)));
  const ticketId = readUuid(bytes, at);
  const scheduleId = readUuid(bytes, (at += 16));
  const seatId = readUuid(bytes, (at += 16));
  const holderId = readUuid(bytes, (at += 16));
  at += 16;
  const version = ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
  const signed = concat(bytes.subarray(0, fixed));
  const signature = concat(bytes.subarray(fixed, fixed + SIGNATURE_BYTES));
  const payload: CodePayload = { kid, mode: rotatingFlag ? 'ROTATING' : 'STATIC', ticketId, scheduleId, seatId, holderId, version };
  if (!rotatingFlag) return { payload, signed, signature };
  const tail = bytes.subarray(fixed + SIGNATURE_BYTES);
  const step = (((tail[0] ?? 0) << 24) >>> 0) + ((tail[1] ?? 0) << 16) + ((tail[2] ?? 0) << 8) + (tail[3] ?? 0);
  return { payload, signed, signature, rotating: { step, mac: tail.subarray(4) } };
}

/** The verifying half of each published key (a JWKS from `GET /tickets/jwks.json`). */
export async function importVerifyKeys(jwks: { keys: Array<JsonWebKey & { kid?: string }> }): Promise<Map<string, CryptoKey>> {
  const keys = new Map<string, CryptoKey>();
  for (const jwk of jwks.keys) {
    if (!jwk.kid || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') continue;
    const { d: _private, ...publicJwk } = jwk;
    keys.set(jwk.kid, await subtle().importKey('jwk', publicJwk, { name: 'Ed25519' }, false, ['verify']));
  }
  return keys;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * What a gate should do with a scanned code, decided from the scanner's bundle alone. The checks
 * run in the order a forger would have to pass them: genuine, for this gate, fresh, not revoked.
 * Whether the ticket already entered is the check-in's business (the server's constraint, or the
 * scanner's own list while offline).
 */
export async function verifyCode(text: string, ctx: ScannerContext): Promise<Verification> {
  const code = parseCode(text);
  if (!code) return { verdict: 'FORGED' };
  const key = ctx.keys.get(code.payload.kid);
  if (!key || !(await subtle().verify('Ed25519', key, code.signature, code.signed))) return { verdict: 'FORGED' };
  const { payload } = code;
  if (payload.scheduleId !== ctx.scheduleId) {
    return { verdict: ctx.performance.scheduleIds.includes(payload.scheduleId) ? 'WRONG_DATE' : 'WRONG_EVENT', payload };
  }
  let step: number | undefined;
  if (code.rotating) {
    const ticketKey = await deriveTicketKey(ctx.performance.rotationSecret, payload.ticketId, payload.version);
    const mac = (await hmac(ticketKey, u32(code.rotating.step))).slice(0, MAC_BYTES);
    if (!sameBytes(mac, code.rotating.mac)) return { verdict: 'FORGED', payload };
    step = code.rotating.step;
    if (Math.abs(stepAt(ctx.now) - step) > WINDOW_STEPS) return { verdict: 'CODE_EXPIRED', payload, step };
  } else if (ctx.performance.mode === 'ROTATING') {
    return { verdict: 'CODE_EXPIRED', payload };
  }
  const revoked = ctx.revokedVersion(payload.ticketId);
  if (revoked !== undefined && revoked >= payload.version) return { verdict: 'REVOKED', payload, ...(step === undefined ? {} : { step }) };
  return { verdict: 'VALID', payload, ...(step === undefined ? {} : { step }) };
}
