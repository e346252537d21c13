import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseStacktrace } from './instrumentations.ts';

test('parses Chromium stack frames', () => {
  const error = new Error('boom');
  error.stack = 'Error: boom\n    at pay (http://127.0.0.1:8080/assets/index-abc.js:1:2345)\n    at http://127.0.0.1:8080/assets/index-abc.js:3:10';
  assert.equal(parseStacktrace(error).frames, [
    { function: 'pay', filename: 'http://127.0.0.1:8080/assets/index-abc.js', lineno: 1, colno: 2345 },
    { function: '?', filename: 'http://127.0.0.1:8080/assets/index-abc.js', lineno: 3, colno: 10 },
  ]);
});

test('parses Firefox stack frames', () => {
  const error = new Error('boom');
  error.stack = 'pay@http://localhost/assets/a.js:4:5\n@http://localhost/assets/a.js:6:7';
  assert.equal(parseStacktrace(error).frames.map((f) => `${f.function} ${f.lineno}:${f.colno}`), ['pay 4:5', '? 6:7']);
});

test.run();
