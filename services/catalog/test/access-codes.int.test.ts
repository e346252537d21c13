/**
 * Presale access codes in catalog's Postgres: an admin makes them and sees who used them; the
 * waiting room redeems them (internal route). Uses are counted by the database, so a race of fans
 * on a single-use code, sent to two catalog replicas at once, has exactly one winner.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expectContract } from '@ticketping/testing';
import { ADMIN, createPerformance, FAN, startCatalog, startReplica, type Harness, type Replica } from './harness.ts';

let h: Harness;
let other: Replica;
test.before(async () => {
  h = await startCatalog({ start: false });
  other = await startReplica({ db: h.db, bus: h.bus });
});
test.after(async () => {
  await other.close();
  await h.close();
});

const HOUR = 3600_000;
const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
type Json = Record<string, unknown>;

async function json(res: Response): Promise<{ status: number; body: Json }> {
  return { status: res.status, body: (await res.json()) as Json };
}

async function newCode(performanceId: string, body: Json): Promise<Json> {
  const res = await json(await h.call(`/api/v1/performances/${performanceId}/access-codes`, { body, headers: ADMIN }));
  assert.is(res.status, 201, JSON.stringify(res.body));
  expectContract('createAccessCode', 201, res.body);
  return res.body;
}

const redeem = (via: Pick<Harness, 'call'>, performanceId: string, code: string, userId: string) =>
  via.call(`/internal/v1/performances/${performanceId}/access-codes/redeem`, { body: { code, userId } }).then(json);

test('an admin creates codes (given or generated); fans and bad bodies are refused with clear problems', async () => {
  const p = await createPerformance(h);
  const given = await newCode(p.id, { code: 'fan-club-2026', lane: 'PRESALE', maxUses: 100, validFrom: at(-HOUR), validUntil: at(HOUR) });
  assert.equal([given.code, given.lane, given.maxUses, given.uses, given.performanceId], ['FAN-CLUB-2026', 'PRESALE', 100, 0, p.id]);
  const generated = await newCode(p.id, { lane: 'PRIORITY', maxUses: 1, validFrom: at(-HOUR), validUntil: at(HOUR) });
  assert.match(String(generated.code), /^[A-Z2-9]{12}$/);

  const byFan = await json(await h.call(`/api/v1/performances/${p.id}/access-codes`, { body: { lane: 'PRESALE', maxUses: 1, validFrom: at(0), validUntil: at(HOUR) }, headers: FAN }));
  assert.equal([byFan.status, byFan.body.code], [403, 'ADMIN_ONLY']);
  const twice = await json(await h.call(`/api/v1/performances/${p.id}/access-codes`, { body: { code: 'FAN-CLUB-2026', lane: 'PRESALE', maxUses: 1, validFrom: at(0), validUntil: at(HOUR) }, headers: ADMIN }));
  assert.equal([twice.status, twice.body.code], [409, 'ACCESS_CODE_EXISTS']);
  const bad = await json(await h.call(`/api/v1/performances/${p.id}/access-codes`, { body: { code: 'no spaces!', lane: 'VIP', maxUses: 0, validFrom: at(HOUR), validUntil: at(0) }, headers: ADMIN }));
  assert.is(bad.status, 400);
  for (const field of ['body.code', 'body.lane', 'body.maxUses']) assert.match(String(bad.body.detail), field);
  const backwards = await json(await h.call(`/api/v1/performances/${p.id}/access-codes`, { body: { lane: 'PRESALE', maxUses: 1, validFrom: at(HOUR), validUntil: at(0) }, headers: ADMIN }));
  assert.equal([backwards.status, (backwards.body.errors as { field: string }[])[0]?.field], [400, 'body.validUntil']);
  const nowhere = await json(await h.call(`/api/v1/performances/${randomUUID()}/access-codes`, { headers: ADMIN }));
  assert.equal([nowhere.status, nowhere.body.code], [404, 'PERFORMANCE_NOT_FOUND']);

  const list = await json(await h.call(`/api/v1/performances/${p.id}/access-codes`, { headers: ADMIN }));
  expectContract('listAccessCodes', 200, list.body);
  assert.equal((list.body.items as Json[]).map((c) => c.code), ['FAN-CLUB-2026', generated.code]);
});

test('a race of 20 fans on a single-use code over two replicas: exactly one wins, the admin sees who', async () => {
  const p = await createPerformance(h);
  const code = await newCode(p.id, { code: 'ONLY-ONE', lane: 'PRIORITY', maxUses: 1, validFrom: at(-HOUR), validUntil: at(HOUR) });
  const fans = Array.from({ length: 20 }, () => randomUUID());
  const answers = await Promise.all(fans.map((fan, i) => redeem(i % 2 === 0 ? h : other, p.id, 'only-one', fan)));
  const winners = answers.flatMap((a, i) => (a.status === 200 ? [fans[i]] : []));
  assert.is(winners.length, 1, JSON.stringify(answers.map((a) => a.status)));
  assert.equal(answers.filter((a) => a.status !== 200).map((a) => [a.status, a.body.code]), Array.from({ length: 19 }, () => [409, 'ACCESS_CODE_USED_UP']));
  assert.equal(answers.find((a) => a.status === 200)!.body, { codeId: code.id, lane: 'PRIORITY', firstUse: true });

  const uses = await json(await h.call(`/api/v1/performances/${p.id}/access-codes/${String(code.id)}/uses`, { headers: ADMIN }));
  expectContract('listAccessCodeUses', 200, uses.body);
  assert.is((uses.body.code as Json).uses, 1);
  assert.equal((uses.body.items as Json[]).map((u) => u.userId), winners);
  const again = await redeem(other, p.id, 'ONLY-ONE', winners[0]!);
  assert.equal([again.status, again.body.firstUse], [200, false], 'the winner entering again uses nothing more');
});

test('a multi-use code is counted once per fan up to its maximum, and a use given back can be used again', async () => {
  const p = await createPerformance(h);
  const code = await newCode(p.id, { code: 'THREE', lane: 'PRESALE', maxUses: 3, validFrom: at(-HOUR), validUntil: at(HOUR) });
  const fan = randomUUID();
  const sameFan = await Promise.all([redeem(h, p.id, 'THREE', fan), redeem(other, p.id, 'three', fan), redeem(h, p.id, 'Three', fan)]);
  assert.equal(sameFan.map((a) => a.status), [200, 200, 200]);
  assert.is(sameFan.filter((a) => a.body.firstUse === true).length, 1, 'one fan entering three times at once counts once');
  const others = await Promise.all(Array.from({ length: 10 }, (_, i) => redeem(i % 2 === 0 ? h : other, p.id, 'THREE', randomUUID())));
  assert.is(others.filter((a) => a.status === 200).length, 2);
  const listed = await json(await h.call(`/api/v1/performances/${p.id}/access-codes`, { headers: ADMIN }));
  assert.is((listed.body.items as Json[])[0]!.uses, 3);

  const released = await json(await h.call('/internal/v1/access-codes/release', { body: { codeId: code.id, userId: fan } }));
  assert.equal(released.body, { released: true });
  assert.equal((await json(await h.call('/internal/v1/access-codes/release', { body: { codeId: code.id, userId: fan } }))).body, { released: false }, 'giving back twice gives back once');
  assert.is((await redeem(h, p.id, 'THREE', randomUUID())).status, 200, 'the use given back is there for the next fan');
});

test('unknown codes, codes of another performance and codes outside their window get clear 4xx; a fan who used a code keeps it after its window', async () => {
  const p = await createPerformance(h);
  const q = await createPerformance(h);
  await newCode(p.id, { code: 'LATER', lane: 'PRESALE', maxUses: 5, validFrom: at(HOUR), validUntil: at(2 * HOUR) });
  await newCode(p.id, { code: 'PAST', lane: 'PRESALE', maxUses: 5, validFrom: at(-2 * HOUR), validUntil: at(-HOUR) });
  const unknown = await redeem(h, p.id, 'NOPE-NOPE', randomUUID());
  assert.equal([unknown.status, unknown.body.code], [403, 'ACCESS_CODE_INVALID']);
  const elsewhere = await redeem(h, q.id, 'LATER', randomUUID());
  assert.equal([elsewhere.status, elsewhere.body.code], [403, 'ACCESS_CODE_INVALID']);
  const early = await redeem(h, p.id, 'LATER', randomUUID());
  assert.equal([early.status, early.body.code], [409, 'ACCESS_CODE_OUTSIDE_WINDOW']);
  assert.match(String(early.body.detail), /can be used from/);
  assert.is(typeof early.body.validFrom, 'string');
  const late = await redeem(h, p.id, 'PAST', randomUUID());
  assert.equal([late.status, late.body.code], [409, 'ACCESS_CODE_OUTSIDE_WINDOW']);

  // two hours on (a replica with its clock ahead): new fans are refused, a fan who used the code keeps it
  await newCode(p.id, { code: 'TODAY', lane: 'PRIORITY', maxUses: 5, validFrom: at(-HOUR), validUntil: at(HOUR) });
  const holder = randomUUID();
  assert.is((await redeem(h, p.id, 'TODAY', holder)).status, 200);
  const later = await startReplica({ db: h.db, bus: h.bus, now: () => new Date(Date.now() + 2 * HOUR) });
  try {
    assert.equal((await redeem(later, p.id, 'TODAY', holder)).body.firstUse, false);
    const newcomer = await redeem(later, p.id, 'TODAY', randomUUID());
    assert.equal([newcomer.status, newcomer.body.code], [409, 'ACCESS_CODE_OUTSIDE_WINDOW']);
  } finally {
    await later.close();
  }
  const listed = await json(await h.call(`/api/v1/performances/${p.id}/access-codes`, { headers: ADMIN }));
  assert.is((listed.body.items as Json[]).find((c) => c.code === 'TODAY')!.uses, 1, 'the refused newcomer counted nothing');

  const noUses = await json(await h.call(`/api/v1/performances/${p.id}/access-codes/${randomUUID()}/uses`, { headers: ADMIN }));
  assert.equal([noUses.status, noUses.body.code], [404, 'ACCESS_CODE_NOT_FOUND']);
});

test.run();
