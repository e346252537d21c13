#!/usr/bin/env -S node --conditions=source
/**
 * Embeds a folder's Lua scripts into `index.generated.ts` so built services carry them in code.
 *   embed-lua.ts <dir> [--check]   (--check fails when the generated file is stale)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readLuaDir, renderEmbedded } from '../src/lua.ts';

const [dir, flag] = process.argv.slice(2);
if (!dir) throw new Error('usage: embed-lua.ts <dir> [--check]');
const target = path.join(dir, 'index.generated.ts');
const rendered = renderEmbedded(readLuaDir(dir));
if (flag === '--check') {
  const current = (() => { try { return readFileSync(target, 'utf8'); } catch { return ''; } })();
  if (current !== rendered) {
    process.stderr.write(`${target} is stale: run embed-lua.ts ${dir}\n`);
    process.exitCode = 1;
  }
} else {
  writeFileSync(target, rendered);
}
