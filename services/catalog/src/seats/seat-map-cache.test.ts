import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSeatMapCache } from './seat-map-cache.ts';

function setup(ttlMs = 250) {
  let clock = 0;
  let version = 1;
  const loads: string[] = [];
  let release: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  const cache = createSeatMapCache({
    ttlMs,
    clock: () => clock,
    load: async (id) => {
      loads.push(id);
      const seen = version;
      if (gate) await gate;
      return id === 'unknown' ? undefined : JSON.stringify({ items: [{ id, version: seen }] });
    },
  });
  return {
    cache,
    loads,
    tick: (ms: number) => { clock += ms; },
    change: () => { version += 1; },
    hold: () => { gate = new Promise((r) => { release = r; }); },
    let: () => { gate = undefined; release?.(); },
  };
}

const versionOf = (body: Buffer | undefined) => (JSON.parse(String(body)) as { items: { version: number }[] }).items[0]?.version;

test('serves one build until the TTL passes, then reads again', async () => {
  const t = setup();
  const first = await t.cache.get('s1');
  t.change();
  t.tick(249);
  assert.is(versionOf((await t.cache.get('s1'))?.body), 1);
  t.tick(1);
  const second = await t.cache.get('s1');
  assert.is(versionOf(second?.body), 2);
  assert.is.not(first?.etag, second?.etag, 'a changed map gets a new ETag');
  assert.equal(t.loads, ['s1', 's1']);
});

test('concurrent misses share one database read', async () => {
  const t = setup();
  t.hold();
  const all = Promise.all(Array.from({ length: 50 }, () => t.cache.get('s1')));
  t.let();
  const maps = await all;
  assert.is(t.loads.length, 1);
  assert.ok(maps.every((m) => m === maps[0]));
});

test('invalidation drops the entry and discards a build that began before the change', async () => {
  const t = setup(10_000);
  await t.cache.get('s1');
  t.change();
  t.cache.invalidate('s1');
  assert.is(versionOf((await t.cache.get('s1'))?.body), 2);
  t.hold();
  const racing = t.cache.get('s1');
  t.cache.invalidate('s1');
  t.change();
  t.let();
  await racing;
  assert.is(versionOf((await t.cache.get('s1'))?.body), 3, 'the racing build was not kept');
});

test('unknown schedules are not cached and expired entries are swept', async () => {
  const t = setup();
  assert.is(await t.cache.get('unknown'), undefined);
  await t.cache.get('s1');
  t.tick(300);
  await t.cache.get('s2');
  assert.is(t.cache.size(), 1);
});

test.run();
