import { randomBytes, randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateSigningKey, publicJwks } from '@ticketping/auth-tokens';
import { deriveTicketKey, fromBase64Url, importVerifyKeys, parseCode, rotateCode, signCode, STEP_SECONDS, toBase64Url, verifyCode, type CodeMode, type CodeSigner, type ScannerContext } from './codes.ts';

async function signerFor(kid: string): Promise<{ signer: CodeSigner; jwks: ReturnType<typeof publicJwks> }> {
  const jwk = await generateSigningKey(kid);
  const key = await crypto.subtle.importKey('jwk', { kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d }, { name: 'Ed25519' }, false, ['sign']);
  return { signer: { kid, sign: async (data) => new Uint8Array(await crypto.subtle.sign('Ed25519', key, data as Uint8Array<ArrayBuffer>)) }, jwks: publicJwks([jwk]) };
}

const T0 = Date.parse('2026-12-24T19:00:00Z');
const scheduleId = randomUUID();
const rotationSecret = new Uint8Array(randomBytes(32));
const ticket = (mode: CodeMode, version = 1) => ({ kid: 'k1', mode, ticketId: randomUUID(), scheduleId, seatId: randomUUID(), holderId: randomUUID(), version });

let main: Awaited<ReturnType<typeof signerFor>>;
let context: (overrides?: Partial<ScannerContext>) => Promise<ScannerContext>;
test.before(async () => {
  main = await signerFor('k1');
  const keys = await importVerifyKeys(main.jwks);
  context = async (overrides = {}) => ({
    keys, performance: { mode: 'STATIC', scheduleIds: [scheduleId, randomUUID()], rotationSecret }, scheduleId, revokedVersion: () => undefined, now: T0, ...overrides,
  });
});

test('a static code is compact, parses back to its payload and verifies offline', async () => {
  const payload = ticket('STATIC');
  const code = await signCode(payload, main.signer);
  assert.ok(code.length < 200, `${code.length} characters`);
  assert.equal(parseCode(code)?.payload, payload);
  const result = await verifyCode(code, await context());
  assert.is(result.verdict, 'VALID');
  assert.equal(result.payload, payload);
});

test('forged: a changed byte, a key we never published, junk', async () => {
  const code = await signCode(ticket('STATIC'), main.signer);
  const bytes = fromBase64Url(code.slice(4));
  bytes[20] = (bytes[20] ?? 0) ^ 1; // inside the ticket id
  assert.is((await verifyCode(`TP1.${toBase64Url(bytes)}`, await context())).verdict, 'FORGED');
  const stranger = await signerFor('k1');
  assert.is((await verifyCode(await signCode(ticket('STATIC'), stranger.signer), await context())).verdict, 'FORGED', 'same kid, other key');
  assert.is((await verifyCode('hello', await context())).verdict, 'FORGED');
  assert.is((await verifyCode('TP1.!!!', await context())).verdict, 'FORGED');
});

test('another date of the same performance, and another performance', async () => {
  const other = { ...ticket('STATIC'), scheduleId: randomUUID() };
  const ctx = await context();
  assert.is((await verifyCode(await signCode({ ...other, scheduleId: ctx.performance.scheduleIds[1]! }, main.signer), ctx)).verdict, 'WRONG_DATE');
  assert.is((await verifyCode(await signCode(other, main.signer), ctx)).verdict, 'WRONG_EVENT');
});

test('revoked: the listed version and older ones; a newer version (after a transfer) is valid', async () => {
  const payload = ticket('STATIC', 2);
  const ctx = await context({ revokedVersion: (id) => (id === payload.ticketId ? 1 : undefined) });
  assert.is((await verifyCode(await signCode(payload, main.signer), ctx)).verdict, 'VALID');
  assert.is((await verifyCode(await signCode({ ...payload, version: 1 }, main.signer), ctx)).verdict, 'REVOKED');
});

test('rotating: valid within the window, refused once older than about a minute, forged with a wrong ticket key', async () => {
  const payload = ticket('ROTATING');
  const base = await signCode(payload, main.signer);
  const key = await deriveTicketKey(rotationSecret, payload.ticketId, payload.version);
  const code = await rotateCode(base, key, T0);
  const ctx = async (now: number) => context({ now, performance: { mode: 'ROTATING', scheduleIds: [scheduleId], rotationSecret } });
  assert.is((await verifyCode(code, await ctx(T0))).verdict, 'VALID');
  assert.is((await verifyCode(code, await ctx(T0 + STEP_SECONDS * 1000))).verdict, 'VALID', 'one step later');
  assert.is((await verifyCode(code, await ctx(T0 + 90_000))).verdict, 'CODE_EXPIRED', '90 s later');
  assert.is((await verifyCode(base, await ctx(T0))).verdict, 'FORGED', 'the signed part alone is no code');
  const otherKey = await deriveTicketKey(rotationSecret, payload.ticketId, 2);
  assert.is((await verifyCode(await rotateCode(base, otherKey, T0), await ctx(T0))).verdict, 'FORGED', 'the key of another version');
  const staticCode = await signCode({ ...payload, mode: 'STATIC' }, main.signer);
  assert.is((await verifyCode(staticCode, await ctx(T0))).verdict, 'CODE_EXPIRED', 'a static code where codes rotate');
});

test.run();
