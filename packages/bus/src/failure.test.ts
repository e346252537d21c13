import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PermanentDeliveryError, TransientDeliveryError, classifyFailure } from './failure.ts';

const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });
const named = (name: string, message = name) => Object.assign(new Error(message), { name });

test('a dependency that is down, busy or racing us is transient', () => {
  for (const error of [
    withCode('ECONNREFUSED'), withCode('ECONNRESET'), withCode('ETIMEDOUT'),
    withCode('40001', 'could not serialize access due to concurrent update'), withCode('40P01', 'deadlock detected'),
    withCode('57P01', 'terminating connection due to administrator command'), withCode('53300', 'too many clients'), withCode('08006'),
    named('KnexTimeoutError', 'Knex: Timeout acquiring a connection. The pool is probably full.'),
    new Error('Connection terminated unexpectedly'), new Error('Connection is closed.'),
    new Error('LOADING Redis is loading the dataset in memory'), named('MaxRetriesPerRequestError', 'Reached the max retries per request limit (which is 2).'),
    new Error("Stream isn't writeable and enableOfflineQueue options is false"), new Error('Command timed out'),
    Object.assign(new Error('queue unavailable'), { status: 503 }), Object.assign(new Error('bad gateway'), { statusCode: 502 }),
    new TransientDeliveryError('provider says later'),
    new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect failed'),
    new Error('could not apply', { cause: withCode('ECONNRESET') }),
  ]) assert.is(classifyFailure(error), 'transient', String(error));
});

test('an invalid payload or an explicit verdict is permanent, even wrapped', () => {
  assert.is(classifyFailure(new PermanentDeliveryError('no such schedule')), 'permanent');
  assert.is(classifyFailure(named('ZodError', '[{"path":["amount"]}]')), 'permanent');
  assert.is(classifyFailure(new SyntaxError('Unexpected token')), 'permanent');
  assert.is(classifyFailure(new Error('outer', { cause: new PermanentDeliveryError('inner') })), 'permanent');
});

test('anything else is unknown: a bug, a constraint, a client error of a dependency', () => {
  for (const error of [new TypeError('x is undefined'), withCode('23505', 'duplicate key'), Object.assign(new Error('nope'), { status: 404 }), 'a string', undefined]) {
    assert.is(classifyFailure(error), 'unknown', String(error));
  }
});

test.run();
