import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { headerKeys, headerNames, readLuaDir, renderEmbedded } from './lua.ts';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lua-'));
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), body);
  }
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

test('readLuaDir takes name and key count from the file name, key and argument names from the header', () => {
  const scripts = readLuaDir(dirWith({ 'addTo-2.lua': good, 'notes.txt': 'x' }));
  assert.equal(scripts.map((s) => [s.name, s.numberOfKeys, s.keys, s.args]), [['addTo', 2, ['counter', 'log'], ['amount']]]);
});

test('header names: every KEYS and ARGV line is named, numbered without gaps, each name once; a last ARGV[k..n] line is the rest', () => {
  assert.equal(headerNames('set-1.lua', '--[[\n  KEYS[1] hash\n  ARGV[1] ttlMs\n  ARGV[2..n] pairs: field, value\n]]'), { keys: ['hash'], args: ['ttlMs'], rest: 'pairs' });
  assert.throws(() => headerNames('x-1.lua', '--[[\n  KEYS[1] a\n  ARGV[2] b\n]]'), /ARGV\[2\] where ARGV\[1\] was expected/);
  assert.throws(() => headerNames('x-1.lua', '--[[\n  KEYS[1] a\n  ARGV[1] 5 seconds\n]]'), /ARGV\[1\] needs a name/);
  assert.throws(() => headerNames('x-1.lua', '--[[\n  KEYS[1] userId\n  ARGV[1] userId\n]]'), /"userId" is given twice/);
  assert.throws(() => headerNames('x-1.lua', '--[[\n  KEYS[1] a\n  ARGV[1..n] rest\n  ARGV[2] b\n]]'), /only the last ARGV line may be variadic/);
});

test('a header that disagrees with the file name is refused', () => {
  assert.throws(() => readLuaDir(dirWith({ 'addTo-3.lua': good })), /promises 3 key/);
  assert.throws(() => readLuaDir(dirWith({ 'add_to.lua': good })), /named <commandName>-<numberOfKeys>/);
});

test('a literal key name is refused (it would break Redis Cluster)', () => {
  const literal = `--[[\n  KEYS[1] a\n]]\nreturn redis.call('GET', 'global')`;
  assert.throws(() => readLuaDir(dirWith({ 'peek-1.lua': literal })), /through KEYS/);
});

test('the embedded module carries each script verbatim, as a named constant and in `scripts`', () => {
  const out = renderEmbedded(readLuaDir(dirWith({ 'addTo-2.lua': good })));
  assert.match(out, /Do not edit/);
  assert.ok(out.includes(JSON.stringify(good)));
  assert.match(out, /export const addTo = \{[\s\S]*\} as const satisfies LuaScript;/);
  assert.match(out, /export const scripts: readonly LuaScript\[\] = \[addTo\];/);
});

const clock = `-- the clock\nlocal function nowMs() return 1 end\n`;
const usesClock = (name: string) => `--[[\n  ${name}.\n  KEYS[1] counter\n  Returns the time.\n]]\n--- @include "clock"\nreturn nowMs()\n`;

test('includes: a snippet of includes/ is inlined where the script includes it, the header staying on top', () => {
  const [script] = readLuaDir(dirWith({ 'now-1.lua': usesClock('Now'), 'includes/clock.lua': clock }));
  assert.is(script!.lua, `--[[\n  Now.\n  KEYS[1] counter\n  Returns the time.\n]]\n-- the clock\nlocal function nowMs() return 1 end\nreturn nowMs()\n`);
  assert.equal(script!.keys, ['counter'], 'the header is read as written');
});

test('includes: nested includes are inlined, each snippet once per script, and the snippets are no scripts of their own', () => {
  const record = `--- @include "clock"\nlocal function stamp() return nowMs() end\n`;
  const both = `--[[\n  KEYS[1] counter\n]]\n--- @include "clock"\n--- @include "record"\nreturn stamp()\n`;
  const scripts = readLuaDir(dirWith({ 'both-1.lua': both, 'includes/clock.lua': clock, 'includes/record.lua': record }));
  assert.equal(scripts.map((s) => s.name), ['both']);
  assert.is(scripts[0]!.lua.split('local function nowMs').length, 2, 'the clock once');
  assert.match(scripts[0]!.lua, /local function stamp\(\) return nowMs\(\) end/);
  assert.not.match(scripts[0]!.lua, /@include "clock"\n/);
});

test('includes: a missing snippet is refused, and a literal key inside a snippet is caught too', () => {
  assert.throws(() => readLuaDir(dirWith({ 'now-1.lua': usesClock('Now') })), /includes "clock", but includes\/clock\.lua is not there/);
  const literal = `local function peek() return redis.call('GET', 'global') end\n`;
  assert.throws(() => readLuaDir(dirWith({ 'now-1.lua': usesClock('Now'), 'includes/clock.lua': literal })), /through KEYS/);
});

test.run();
