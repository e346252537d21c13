/**
 * The door, measured:
 *  1. offline verifications per second in headless Chromium: the tickets service's own
 *     `verifyCode` (services/tickets/src/codes/codes.ts, the module the scanner page imports), one
 *     scan after the other as a gate does, against a revocation list of 10,000 tickets, for static
 *     and rotating codes;
 *  2. the time to sync 10,000 scans: `POST /api/v1/check-in/performances/:id/scans` in batches of
 *     500 (the scanner page's batch), sent one after the other, on the real tickets service and
 *     Postgres; then the same 10,000 again (a gate that lost the answers), which must admit nobody twice.
 *
 *   npm run testenv -- run --only redis,postgres -- node --conditions=source bench/door/run.ts [--verifications 5000] [--scans 10000]
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { stripTypeScriptTypes } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import type * as codesModule from '@ticketping/tickets/codes';
import { signCode, toBase64Url, type CodeSigner } from '@ticketping/tickets/codes';
import { startTickets } from '../../services/tickets/test/harness.ts';

const { values } = parseArgs({ options: { verifications: { type: 'string', default: '5000' }, scans: { type: 'string', default: '10000' } } });
const VERIFICATIONS = Number(values.verifications);
const SCANS = Number(values.scans);
const BATCH = 500;
const CODES_FILE = path.resolve(import.meta.dirname, '@ticketping/tickets/codes');
const load = () => os.loadavg()[0]!.toFixed(1);

async function newSigner(): Promise<{ signer: CodeSigner; jwks: { keys: JsonWebKey[] } }> {
  const pair = (await crypto.subtle.generateKey('Ed25519', true, ['sign', 'verify'])) as CryptoKeyPair;
  const kid = 'bench-1';
  const publicJwk = { ...(await crypto.subtle.exportKey('jwk', pair.publicKey)), kid };
  return { signer: { kid, sign: async (data) => new Uint8Array(await crypto.subtle.sign('Ed25519', pair.privateKey, data as Uint8Array<ArrayBuffer>)) }, jwks: { keys: [publicJwk] } };
}

async function browserVerifications(mode: 'STATIC' | 'ROTATING') {
  const { signer, jwks } = await newSigner();
  const scheduleId = randomUUID();
  const codes = await Promise.all(Array.from({ length: 1000 }, async () => {
    const ticketId = randomUUID();
    return { ticketId, code: await signCode({ kid: signer.kid, mode, ticketId, scheduleId, seatId: randomUUID(), holderId: randomUUID(), version: 1 }, signer) };
  }));
  const secret = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const revoked: Array<[string, number]> = Array.from({ length: 10_000 }, () => [randomUUID(), 1]);
  const source = stripTypeScriptTypes(await readFile(CODES_FILE, 'utf8'));
  // WebCrypto needs a secure context: a page from 127.0.0.1 is one, about:blank is not.
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>bench</title>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const browser = await chromium.launch({ executablePath: process.env.TICKETPING_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    return await page.evaluate(async ({ source, jwks, codes, scheduleId, secret, revoked, n, mode }) => {
      const m = (await import(`data:text/javascript;charset=utf-8,${encodeURIComponent(source)}`)) as typeof codesModule;
      const keys = await m.importVerifyKeys(jwks as { keys: JsonWebKey[] });
      const rotationSecret = m.fromBase64Url(secret);
      const list = new Map<string, number>(revoked);
      // Rotating codes as a fan's page makes them: the signed part plus the current step's MAC.
      const shown = mode === 'ROTATING'
        ? await Promise.all(codes.map(async (c) => m.rotateCode(c.code, await m.deriveTicketKey(rotationSecret, c.ticketId, 1), Date.now())))
        : codes.map((c) => c.code);
      const ctx = { keys, performance: { mode, scheduleIds: [scheduleId], rotationSecret }, scheduleId, revokedVersion: (id: string) => list.get(id), now: Date.now() };
      const times: number[] = [];
      let valid = 0;
      const started = performance.now();
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        if ((await m.verifyCode(shown[i % shown.length]!, ctx)).verdict === 'VALID') valid++;
        times.push(performance.now() - t);
      }
      const seconds = (performance.now() - started) / 1000;
      times.sort((a, b) => a - b);
      return { perSecond: Math.round(n / seconds), p50: times[Math.floor(n * 0.5)]!, p99: times[Math.floor(n * 0.99)]!, valid, n };
    }, { source, jwks, codes, scheduleId, secret, revoked, n: VERIFICATIONS, mode });
  } finally {
    await browser.close();
    server.close();
  }
}

async function syncScans() {
  const h = await startTickets();
  try {
    const show = await h.publishShow(SCANS);
    const fan = await h.auth.signUp();
    await h.confirmOrder(fan.id, show, show.seatIds);
    const deadline = Date.now() + 600_000;
    while (Number((await h.db.knex('tickets').count<{ count: string }[]>('* as count'))[0]!.count) < SCANS) {
      if (Date.now() > deadline) throw new Error('tickets were not issued in 10 minutes');
      await new Promise((r) => setTimeout(r, 200));
    }
    const { signer } = await h.service.keys;
    const rows = (await h.db.knex('tickets').select('id', 'seat_id')) as Array<{ id: string; seat_id: string }>;
    const scannedAt = new Date().toISOString();
    const scans = await Promise.all(rows.map(async (r) => ({
      scanId: randomUUID(), scheduleId: show.scheduleId, scannedAt,
      code: await signCode({ kid: signer.kid, mode: 'STATIC', ticketId: r.id, scheduleId: show.scheduleId, seatId: r.seat_id, holderId: fan.id, version: 1 }, signer),
    })));
    const admin = randomUUID();
    const sendAll = async () => {
      const outcomes: Record<string, number> = {};
      const started = performance.now();
      for (let i = 0; i < scans.length; i += BATCH) {
        const res = await h.call('POST', `/api/v1/check-in/performances/${show.performanceId}/scans`, { userId: admin, role: 'ADMIN', body: { gate: 'Bench', scans: scans.slice(i, i + BATCH) } });
        if (res.status !== 200) throw new Error(`sync answered ${res.status}: ${res.text}`);
        for (const r of res.body.results as Array<{ outcome: string }>) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      }
      return { seconds: (performance.now() - started) / 1000, outcomes };
    };
    const first = await sendAll();
    const again = await sendAll();
    const checkIns = Number((await h.db.knex('check_ins').count<{ count: string }[]>('* as count'))[0]!.count);
    return { first, again, checkIns };
  } finally {
    await h.close();
  }
}

process.stdout.write(`door bench · ${os.cpus().length} CPU · Node ${process.version} · ${new Date().toISOString()} · load ${load()}\n`);
for (const mode of ['STATIC', 'ROTATING'] as const) {
  const r = await browserVerifications(mode);
  process.stdout.write(`browser verifyCode (${mode.toLowerCase()}): ${r.perSecond.toLocaleString('en')} /s sequential, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms (${r.valid}/${r.n} valid) · load ${load()}\n`);
}
const s = await syncScans();
const fmt = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ');
process.stdout.write(`sync ${SCANS.toLocaleString('en')} scans in batches of ${BATCH}: ${s.first.seconds.toFixed(1)} s (${Math.round(SCANS / s.first.seconds)} scans/s; ${fmt(s.first.outcomes)})\n`);
process.stdout.write(`the same ${SCANS.toLocaleString('en')} again: ${s.again.seconds.toFixed(1)} s (${fmt(s.again.outcomes)}); check_ins rows ${s.checkIns} · load ${load()}\n`);
