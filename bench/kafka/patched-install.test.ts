/**
 * The kafkajs patch reaches every install: `npm ci` applies patches/ (root postinstall), and the
 * Dockerfile (every image) copies patches/ before its own `npm ci`, or the images would run the
 * unpatched client.
 */
import { readFileSync } from 'node:fs';
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

test('the Dockerfile copies patches/ before its npm ci', () => {
  const lines = readFileSync(path.join(repo, 'Dockerfile'), 'utf8').split('\n');
  const install = lines.findIndex((l) => /^RUN\b.*\bnpm ci\b/.test(l));
  assert.ok(install !== -1, 'the Dockerfile runs npm ci');
  const copy = lines.findIndex((l) => /^COPY\s+patches\s+\.\/patches\s*$/.test(l));
  assert.ok(copy !== -1 && copy < install, 'COPY patches ./patches must come before npm ci');
});

test.run();
