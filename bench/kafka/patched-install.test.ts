/**
 * The kafkajs patch reaches every install: `npm ci` applies patches/ (root postinstall), and each
 * image copies patches/ before its own `npm ci`, or the image would run the unpatched client.
 */
import { readFileSync } from 'node:fs';
import { glob } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const repo = path.resolve(import.meta.dirname, '../..');

test('the installed kafkajs carries the request-queue patch', () => {
  const file = createRequire(import.meta.url).resolve('kafkajs/src/network/requestQueue/index.js');
  assert.match(readFileSync(file, 'utf8'), 'kafkajs#1704');
  const manifest = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.match(manifest.scripts.postinstall ?? '', /^patch-package\b/);
});

test('every Dockerfile that runs npm ci copies patches/ first', async () => {
  const dockerfiles: string[] = [];
  for await (const file of glob('{services,operators,packages}/*/Dockerfile', { cwd: repo })) dockerfiles.push(file);
  assert.ok(dockerfiles.length >= 7, `Dockerfiles found: ${dockerfiles.join(', ')}`);
  for (const file of dockerfiles) {
    const lines = readFileSync(path.join(repo, file), 'utf8').split('\n');
    const install = lines.findIndex((l) => /^RUN\b.*\bnpm ci\b/.test(l));
    if (install === -1) continue;
    const copy = lines.findIndex((l) => /^COPY\s+patches\s+\.\/patches\s*$/.test(l));
    assert.ok(copy !== -1 && copy < install, `${file}: COPY patches ./patches must come before npm ci`);
  }
});

test.run();
