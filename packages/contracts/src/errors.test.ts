import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ERROR_CODES, ERROR_STATUS, isErrorCode, validationProblem } from './errors.ts';

test('every code is SCREAMING_SNAKE and answered with a 4xx or 5xx status', () => {
  for (const code of ERROR_CODES) {
    assert.match(code, /^[A-Z][A-Z0-9_]*$/);
    const status = ERROR_STATUS[code];
    assert.ok(status >= 400 && status < 600, `${code}: ${status}`);
  }
});

test('isErrorCode knows the list and nothing else', () => {
  assert.ok(isErrorCode('SEAT_UNAVAILABLE'));
  assert.not.ok(isErrorCode('TAKEN'));
  assert.not.ok(isErrorCode('toString'));
  assert.not.ok(isErrorCode(undefined));
});

test('validationProblem names each field in the detail and in errors', () => {
  const problem = validationProblem([{ field: 'body.seatIds', message: 'required' }, { field: 'query.limit', message: 'must be at most 100' }]);
  assert.equal(problem, {
    code: 'VALIDATION_FAILED',
    status: 400,
    title: 'Invalid request',
    detail: 'body.seatIds: required; query.limit: must be at most 100',
    errors: [{ field: 'body.seatIds', message: 'required' }, { field: 'query.limit', message: 'must be at most 100' }],
  });
});

test.run();
