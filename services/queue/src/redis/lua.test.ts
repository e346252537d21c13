import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readLuaDir } from '@ticketping/redis';
import { scripts } from './lua/index.generated.ts';

const dir = path.join(import.meta.dirname, 'lua');
const root = path.resolve(import.meta.dirname, '../../../..');

test('every script passes the header guard: KEYS documented as named, no literal key names', () => {
  const read = readLuaDir(dir);
  assert.equal(read.map((s) => `${s.name}-${s.numberOfKeys}`), [
    'admit-14', 'configure-1', 'createQueue-3', 'describe-7', 'entry-12', 'index-1', 'leave-7', 'orderEvent-5', 'rangeEntries-2', 'storeToken-2',
  ]);
  for (const script of read) assert.match(script.lua, /Returns /, `${script.name} documents its reply`);
});

test('every shared snippet in includes/ is included by a script (clock, admission record, pre-queue reservation)', () => {
  const sources = readdirSync(dir).filter((f) => f.endsWith('.lua')).map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
  const snippets = readdirSync(path.join(dir, 'includes')).map((f) => f.replace(/\.lua$/, '')).sort();
  assert.equal(snippets, ['admission-record', 'clock', 'pre-queue-reservation']);
  for (const name of snippets) assert.ok(sources.includes(`--- @include "${name}"`), `${name} is included somewhere`);
});

test('index.generated.ts is fresh (embed-lua --check)', () => {
  const check = spawnSync(process.execPath, ['--conditions=source', 'packages/redis/bin/embed-lua.ts', 'services/queue/src/redis/lua', '--check'], { cwd: root, encoding: 'utf8' });
  assert.is(check.status, 0, check.stderr);
  assert.equal(scripts.map((s) => s.name), readLuaDir(dir).map((s) => s.name));
});

test.run();
