/** The admin redrive endpoint's edges, on the memory bus (the Kafka path is in kafka.int.test.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMemoryBus } from '@ticketping/bus';
import { createLogger } from '@ticketping/logger';
import { ADMIN, startCatalog } from './harness.ts';

test('a broker failing mid-redrive is a fast 503 with Retry-After, since trying again is safe', async () => {
  const memory = createMemoryBus({ logger: createLogger({ service: 'catalog-test', level: 'silent' }) });
  const h = await startCatalog({ bus: { ...memory, redrive: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) } });
  try {
    const res = await h.call('/api/v1/admin/dead-letters/redrive', { body: { topic: 'payment.payments' }, headers: ADMIN });
    assert.is(res.status, 503);
    assert.is(res.headers.get('retry-after'), '5');
    assert.is(((await res.json()) as { code: string }).code, 'BUS_UNAVAILABLE');
  } finally {
    await h.close();
  }
});

test('with nothing dead-lettered the answer says so', async () => {
  const h = await startCatalog();
  try {
    const res = await h.call('/api/v1/admin/dead-letters/redrive', { body: { topic: 'payment.payments', dryRun: true }, headers: ADMIN });
    assert.is(res.status, 200);
    assert.equal(await res.json(), { topic: 'payment.payments', scanned: 0, redriven: 0, eventIds: [], dryRun: true });
  } finally {
    await h.close();
  }
});

test.run();
