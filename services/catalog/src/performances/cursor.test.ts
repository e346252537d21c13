import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AppError } from '@ticketping/http';
import { decodeCursor, encodeCursor } from './cursor.ts';

test('a cursor round-trips the sort key and is URL-safe', () => {
  const position = { bookingOpensAt: new Date('2030-01-02T10:00:00.123Z'), id: '0b7c9a52-3c51-4b8e-9f4e-1d2a3b4c5d6e' };
  const cursor = encodeCursor(position);
  assert.match(cursor, /^[A-Za-z0-9_-]+$/);
  assert.equal(decodeCursor(cursor), position);
});

test('cursors we did not issue are a 400 naming query.cursor', () => {
  const forged = [
    'not base64 at all!',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('["yesterday","0b7c9a52-3c51-4b8e-9f4e-1d2a3b4c5d6e"]').toString('base64url'),
    Buffer.from('["2030-01-02T10:00:00Z","1; drop table"]').toString('base64url'),
  ];
  for (const cursor of forged) {
    try {
      decodeCursor(cursor);
      assert.unreachable(`accepted ${cursor}`);
    } catch (error) {
      assert.instance(error, AppError);
      assert.is((error as AppError).status, 400);
      assert.equal((error as AppError).extra.errors, [{ field: 'query.cursor', message: 'is not a cursor this API issued; start again without it' }]);
    }
  }
});

test.run();
