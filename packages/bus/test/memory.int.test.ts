import * as assert from 'uvu/assert';
import { createLogger } from '@ticketping/logger';
import { client } from '@ticketping/metrics';
import { eventually } from '@ticketping/testing';
import { DLQ_HEADERS, PermanentDeliveryError, createMemoryBus, type BusEvent } from '../src/index.ts';
import { busContract, newEvent, newTopic } from './contract.ts';

const logger = createLogger({ service: 'bus-test', level: 'warn' });

const test = busContract({ keysAtOnce: false, name: 'memory', timeoutMs: 5_000, createBus: (registry) => createMemoryBus({ logger, metrics: registry }) });

// Memory only (Kafka's redrive has its own suite with the inbox, redrive.int.test.ts).
test('redrive puts the dead letters back on their topic, filtered by time', async () => {
  const bus = createMemoryBus({ logger: createLogger({ service: 'bus-test', level: 'silent' }), metrics: new client.Registry() });
  try {
    const topic = newTopic();
    let bug = true;
    const handled: BusEvent[] = [];
    await bus.subscribe({
      group: 'confirmer',
      topics: [topic],
      handle: async (event) => {
        if (bug) throw new PermanentDeliveryError('rejected');
        handled.push(event);
      },
    });
    const first = newEvent('order-1', {});
    await bus.publish(topic, [first]);
    await eventually(async () => (await bus.redrive({ topic, dryRun: true })).redriven === 1, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const boundary = new Date();
    const second = newEvent('order-2', {});
    await bus.publish(topic, [second]);
    await eventually(async () => (await bus.redrive({ topic, dryRun: true })).redriven === 2, 5_000);
    bug = false;
    const result = await bus.redrive({ topic, since: boundary });
    assert.equal({ scanned: result.scanned, redriven: result.redriven, eventIds: result.eventIds }, { scanned: 2, redriven: 1, eventIds: [second.id] });
    await eventually(() => handled.length === 1, 5_000);
    assert.is(handled[0]!.id, second.id);
    assert.ok(handled[0]!.headers?.[DLQ_HEADERS.redrivenAt]);
    assert.is(handled[0]!.headers?.[DLQ_HEADERS.error], undefined);
  } finally {
    await bus.close();
  }
});

test.run();
