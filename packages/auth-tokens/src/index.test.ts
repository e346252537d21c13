import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SignJWT, UnsecuredJWT, importJWK } from 'jose';
import { createServer } from 'node:http';
import { TokenError, TokenKeysUnavailableError, createSigner, createVerifier, generateSigningKey, parsePrivateKeys, publicJwks } from './index.ts';

const key = await generateSigningKey('k1');
const other = await generateSigningKey('k2');
const signer = await createSigner('ticketping-queue', key);
const verifier = createVerifier('ticketping-queue', publicJwks([key]));

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    assert.instance(error, TokenError);
    return (error as TokenError).reason;
  }
}

test('a signed token verifies locally with audience and subject', async () => {
  const { token, jti, expiresAt } = await signer.sign({ subject: 'user-1', audience: 'perf-1', expiresInSeconds: 600 });
  const claims = await verifier.verify(token, { audience: 'perf-1', subject: 'user-1' });
  assert.is(claims.jti, jti);
  assert.is(claims.exp * 1000, expiresAt.getTime());
  assert.is(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid, 'k1');
});

test('wrong audience, wrong subject, expired, foreign key and alg none are all refused', async () => {
  const { token } = await signer.sign({ subject: 'user-1', audience: 'perf-1', expiresInSeconds: 600 });
  assert.is(await reason(verifier.verify(token, { audience: 'perf-2' })), 'TOKEN_WRONG_AUDIENCE');
  assert.is(await reason(verifier.verify(token, { subject: 'user-2' })), 'TOKEN_INVALID');
  const expired = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', kid: 'k1' }).setIssuer('ticketping-queue').setSubject('u').setJti('j')
    .setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(await importJWK(key, 'EdDSA'));
  assert.is(await reason(verifier.verify(expired)), 'TOKEN_EXPIRED');
  const foreign = await (await createSigner('ticketping-queue', { ...other, kid: 'k1' })).sign({ subject: 'u', audience: 'perf-1', expiresInSeconds: 60 });
  assert.is(await reason(verifier.verify(foreign.token)), 'TOKEN_INVALID');
  const none = new UnsecuredJWT({ jti: 'j' }).setIssuer('ticketping-queue').setSubject('u').setExpirationTime('1h').encode();
  assert.is(await reason(verifier.verify(none)), 'TOKEN_INVALID');
  assert.is(await reason(verifier.verify('not.a.token')), 'TOKEN_INVALID');
});

test('only strict EdDSA compact tokens with valid claims pass: tampering, crit, nbf, missing claims, other issuers', async () => {
  const privateKey = await importJWK(key, 'EdDSA');
  const now = Math.floor(Date.now() / 1000);
  const build = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new SignJWT({ iss: 'ticketping-queue', sub: 'u', jti: 'j', exp: now + 60, ...claims }).setProtectedHeader({ alg: 'EdDSA', kid: 'k1', ...header }).sign(privateKey);
  const good = await build({});
  assert.is((await verifier.verify(good)).sub, 'u');
  const [h, p, sig] = good.split('.') as [string, string, string];
  const otherPayload = Buffer.from(JSON.stringify({ iss: 'ticketping-queue', sub: 'admin', jti: 'j', exp: now + 60 })).toString('base64url');
  assert.is(await reason(verifier.verify(`${h}.${otherPayload}.${sig}`)), 'TOKEN_INVALID', 'a payload swapped under a valid signature');
  const flipped = Buffer.from(sig, 'base64url');
  flipped[0]! ^= 1; // one bit of the signature
  assert.is(await reason(verifier.verify(`${h}.${p}.${flipped.toString('base64url')}`)), 'TOKEN_INVALID', 'a changed signature');
  assert.is(await reason(verifier.verify(`${h}.${p}.${sig}=`)), 'TOKEN_INVALID', 'padding is not base64url');
  assert.is(await reason(verifier.verify(`${h}.${p}.${sig}.x`)), 'TOKEN_INVALID', 'four parts');
  assert.is(await reason(verifier.verify(await build({}, { crit: ['b64'], b64: true }))), 'TOKEN_INVALID', 'critical extensions');
  assert.is(await reason(verifier.verify(await build({ nbf: now + 3600 }))), 'TOKEN_INVALID', 'not valid yet');
  assert.is(await reason(verifier.verify(await build({ jti: undefined }))), 'TOKEN_INVALID', 'no jti');
  assert.is(await reason(verifier.verify(await build({ exp: undefined }))), 'TOKEN_INVALID', 'no expiry');
  assert.is(await reason(verifier.verify(await build({ exp: '9999999999' }))), 'TOKEN_INVALID', 'a string expiry');
  assert.is(await reason(verifier.verify(await build({ iss: 'ticketping-auth' }))), 'TOKEN_INVALID', 'another issuer');
  assert.is(await reason(verifier.verify(await build({ exp: now + 3 }))), 'accepted', 'within the clock tolerance');
  assert.is(await reason(verifier.verify(await build({ exp: now - 3 }))), 'accepted', 'just expired, within the clock tolerance');
  assert.is(await reason(verifier.verify(await build({ aud: ['perf-9', 'perf-1'] }), { audience: 'perf-1' })), 'accepted', 'an audience list naming ours');
  assert.is(await reason(verifier.verify(await build({ aud: ['perf-9'] }), { audience: 'perf-1' })), 'TOKEN_WRONG_AUDIENCE');
  assert.is(await reason(verifier.verify(await build({}), { audience: 'perf-1' })), 'TOKEN_WRONG_AUDIENCE', 'no audience when one is expected');
});

test('rotation: tokens of the old and the new key both verify while both are published', async () => {
  const rotated = createVerifier('ticketping-queue', publicJwks([other, key]));
  const newSigner = await createSigner('ticketping-queue', other);
  assert.is((await rotated.verify((await newSigner.sign({ subject: 'a', audience: 'b', expiresInSeconds: 60 })).token)).sub, 'a');
  assert.is((await rotated.verify((await signer.sign({ subject: 'c', audience: 'b', expiresInSeconds: 60 })).token)).sub, 'c');
});

test('published keys carry no private part; config parsing refuses public keys', () => {
  const published = JSON.stringify(publicJwks([key]));
  assert.not.ok(published.includes('"d"'));
  assert.equal(parsePrivateKeys(JSON.stringify(key)).map((k) => k.kid), ['k1']);
  assert.throws(() => parsePrivateKeys(JSON.stringify(publicJwks([key]).keys[0])), /private JWKs/);
});

test('a key set out of reach is TokenKeysUnavailableError (an outage); a reachable one without the kid is TOKEN_INVALID', async () => {
  const { token } = await signer.sign({ subject: 'fan-1', audience: 'p1', expiresInSeconds: 60 });
  // a key-set server that answers with another key, and headers checked: it wants the internal token
  const served = createServer((req, res) => {
    if (req.headers['x-internal-token'] !== 's3cret') return void res.writeHead(401).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(publicJwks([other])));
  });
  await new Promise<void>((resolve) => served.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(served.address() as { port: number }).port}/jwks.json`);
  try {
    const withHeaders = createVerifier('ticketping-queue', url, { fetchHeaders: { 'x-internal-token': 's3cret' } });
    assert.is(await reason(withHeaders.verify(token)), 'TOKEN_INVALID');
    const refused = createVerifier('ticketping-queue', url); // the server answers 401: the keys are out of reach
    await refused.verify(token).then(() => assert.unreachable('verified without keys'), (error: unknown) => assert.instance(error, TokenKeysUnavailableError));
  } finally {
    await new Promise((resolve) => served.close(resolve));
  }
  const gone = createVerifier('ticketping-queue', url); // nothing listens there any more
  await gone.verify(token).then(() => assert.unreachable('verified without keys'), (error: unknown) => assert.instance(error, TokenKeysUnavailableError));
});

test.run();
