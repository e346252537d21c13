import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { headerKeys, readLuaDir, renderEmbedded } from './lua.ts';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lua-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(path.join(dir, name), body);
  return dir;
}

const good = `--[[
  Adds to a counter.
  KEYS[1] counter
  KEYS[2] log
  ARGV[1] amount
  Returns the new value.
]]
redis.call('RPUSH', KEYS[2], ARGV[1])
return redis.call('INCRBY', KEYS[1], ARGV[1])
`;

test('headerKeys lists the KEYS lines of the leading comment only', () => {
  assert.equal(headerKeys(good), [1, 2]);
  assert.equal(headerKeys('return 1 -- KEYS[1] x'), []);
});

test('readLuaDir takes name and key count from the file name', () => {
  const scripts = readLuaDir(dirWith({ 'addTo-2.lua': good, 'notes.txt': 'x' }));
  assert.equal(scripts.map((s) => [s.name, s.numberOfKeys]), [['addTo', 2]]);
});

test('a header that disagrees with the file name is refused', () => {
  assert.throws(() => readLuaDir(dirWith({ 'addTo-3.lua': good })), /promises 3 key/);
  assert.throws(() => readLuaDir(dirWith({ 'add_to.lua': good })), /named <commandName>-<numberOfKeys>/);
});

test('a literal key name is refused (it would break Redis Cluster)', () => {
  const literal = `--[[\n  KEYS[1] a\n]]\nreturn redis.call('GET', 'global')`;
  assert.throws(() => readLuaDir(dirWith({ 'peek-1.lua': literal })), /through KEYS/);
});

test('the embedded module carries each script verbatim', () => {
  const out = renderEmbedded(readLuaDir(dirWith({ 'addTo-2.lua': good })));
  assert.match(out, /Do not edit/);
  assert.ok(out.includes(JSON.stringify(good)));
});

test.run();
