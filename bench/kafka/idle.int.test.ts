/**
 * kafkajs at rest, on a real broker: the bus's admin, producer and consumer, connected and idle,
 * must not re-arm a timer every millisecond (kafkajs#1704, fixed by patches/kafkajs+*.patch).
 * Counted in timers, not CPU time, so the verdict does not depend on the machine's speed or load:
 * unpatched, this client arms about 3,000 timers per second; patched, a handful in the window.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import { connectClient, newEvent, type ConnectedClient } from './client.ts';
import { countTimers } from './timers.ts';

const IDLE_WINDOW_MS = 3000;
const warnings: Error[] = [];
process.on('warning', (warning) => warnings.push(warning));
let client: ConnectedClient | undefined;

test.after(async () => {
  await client?.close();
});

test('a connected, idle client does not fire timers in a 1 ms loop, and events still flow', async () => {
  client = await connectClient(testEnv.kafkaBrokers, `${randomPrefix('idle')}.`);
  const timers = countTimers();
  // a measurement window, not a wait for something: the client is left alone on purpose
  await sleep(IDLE_WINDOW_MS);
  const idle = timers.stop();
  assert.ok(idle.dueWithin1ms < 10, `timers due within 1 ms while idle: ${idle.dueWithin1ms} in ${IDLE_WINDOW_MS} ms`);
  assert.ok(idle.armed < 50, `timers armed while idle: ${idle.armed} in ${IDLE_WINDOW_MS} ms`);

  const events = Array.from({ length: 20 }, newEvent);
  await client.bus.publish(client.topic, events);
  const received = client.received;
  await eventually(() => events.every((e) => received.includes(e.id)), 30_000, 20);
  await client.roundTrip();

  const negative = warnings.filter((w) => w.name === 'TimeoutNegativeWarning');
  assert.is(negative.length, 0, `TimeoutNegativeWarning: ${negative.map((w) => w.message).join('; ')}`);
});

test.run();
