import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPasswordHasher } from './password-hasher.ts';

const hasher = createPasswordHasher({ cost: 10 });

test('a hash verifies its own password and no other', async () => {
  const stored = await hasher.hash('correct horse battery');
  assert.match(stored, /^scrypt\$10\$8\$1\$[\w-]+\$[\w-]+$/);
  assert.ok(await hasher.verify('correct horse battery', stored));
  assert.not.ok(await hasher.verify('correct horse batterY', stored));
});

test('the same password gets a different salt each time', async () => {
  assert.is.not(await hasher.hash('same password'), await hasher.hash('same password'));
});

test('hashes made with another cost still verify, since they carry their parameters', async () => {
  const older = await createPasswordHasher({ cost: 11 }).hash('raised the cost since');
  assert.ok(await hasher.verify('raised the cost since', older));
});

test('malformed stored hashes and the dummy never verify', async () => {
  assert.not.ok(await hasher.verify('x', 'bcrypt$whatever'));
  assert.not.ok(await hasher.verify('x', ''));
  assert.is(await hasher.verifyAgainstDummy('anything'), false);
});

test.run();
