import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const script = path.resolve(import.meta.dirname, 'onsale.js');

test('the k6 on-sale script is valid JavaScript (k6 itself is not run here)', () => {
  // --check parses the module without resolving its k6 imports
  execFileSync(process.execPath, ['--check', script], { stdio: 'pipe' });
});

test('the k6 script fails the run on slow polls and on any 5xx', () => {
  const source = readFileSync(script, 'utf8');
  assert.match(source, /'http_req_duration\{name:poll\}': \['p\(99\)<500'\]/);
  assert.match(source, /onsale_5xx: \['count==0'\]/);
  assert.match(source, /serverErrors\.add\(1/);
});

test.run();
