import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readLuaDir, renderEmbedded } from '@ticketping/redis';

test('the embedded scripts match the .lua files and their header contracts', () => {
  const dir = import.meta.dirname;
  const embedded = readFileSync(path.join(dir, 'index.generated.ts'), 'utf8');
  assert.is(embedded, renderEmbedded(readLuaDir(dir)), 'run: node --conditions=source packages/redis/bin/embed-lua.ts packages/edge/src/redis/lua');
});

test.run();
