import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildAccessCode, defaultAccessCodeDraft } from './access-code-form.ts';

test('a filled form becomes the API body; an empty code asks the server for a random one', () => {
  const draft = { code: ' fan-club ', lane: 'PRIORITY' as const, maxUses: '50', validFrom: '2026-12-08T10:00', validUntil: '2026-12-08T12:00' };
  const built = buildAccessCode(draft);
  assert.ok('body' in built);
  assert.equal(built.body, { code: 'fan-club', lane: 'PRIORITY', maxUses: 50, validFrom: new Date('2026-12-08T10:00').toISOString(), validUntil: new Date('2026-12-08T12:00').toISOString() });
  const random = buildAccessCode({ ...draft, code: '' });
  assert.ok('body' in random && !('code' in random.body));
  assert.ok('body' in buildAccessCode(defaultAccessCodeDraft()), 'the defaults are valid');
});

test('bad values are named by the input they came from', () => {
  const built = buildAccessCode({ code: 'no spaces', lane: 'PRESALE', maxUses: '0', validFrom: '2026-12-08T12:00', validUntil: '2026-12-08T10:00' });
  assert.ok('errors' in built);
  assert.equal(Object.keys(built.errors).sort(), ['code-max-uses', 'code-text', 'code-until']);
});

test.run();
