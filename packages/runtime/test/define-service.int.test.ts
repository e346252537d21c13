/**
 * The skeleton every service's main.ts is: a definition started on free ports answers on its public
 * port, reports ready on its management port only, and stopping it drains, stops the background
 * work and closes the clients it made, in that order.
 */
import { Writable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHttpApp } from '@ticketping/http';
import { createLogger } from '@ticketping/logger';
import { defineService } from '../src/define-service.ts';

const quiet = createLogger({ service: 'probe', destination: new Writable({ write(_c, _e, done) { done(); } }) });
const settings = { PORT: 0, MANAGEMENT_PORT: 0, HOST: '127.0.0.1', LOG_LEVEL: 'silent', GREETING: 'hello' };

function probe(events: string[]) {
  return defineService({
    name: 'probe',
    loadConfig: () => settings,
    build: (config, kit) => {
      const bus = kit.bus({ clientId: 'probe' });
      const close = bus.close.bind(bus);
      bus.close = async () => { events.push('bus closed'); await close(); };
      return {
        app: createHttpApp({ logger: kit.logger, metrics: kit.metrics, routes: (router) => router.get('/hello', (_req, res) => { res.json({ greeting: config.GREETING }); }) }),
        start: async () => { events.push('started'); },
        stop: async () => { events.push('stopped'); },
      };
    },
  });
}

test('started from its definition, a service answers on its public port and is ready on its management port', async () => {
  const events: string[] = [];
  const running = await probe(events).start({ logger: quiet });
  try {
    assert.equal(await (await fetch(`http://127.0.0.1:${running.port}/hello`)).json(), { greeting: 'hello' });
    assert.is((await fetch(`http://127.0.0.1:${running.managementPort}/readyz`)).status, 200);
    assert.is((await fetch(`http://127.0.0.1:${running.port}/readyz`)).status, 404, 'readiness is not public');
    assert.equal(events, ['started']);
  } finally {
    await running.stop();
  }
  assert.equal(events, ['started', 'stopped', 'bus closed'], 'the background work stops before the clients close');
  const refused = await fetch(`http://127.0.0.1:${running.port}/hello`).then(() => false, () => true);
  assert.ok(refused, 'the port is closed after stop');
});

test('settings given to start are used as they are instead of loadConfig', async () => {
  const running = await probe([]).start({ logger: quiet, config: { ...settings, GREETING: 'given' } });
  try {
    assert.equal(await (await fetch(`http://127.0.0.1:${running.port}/hello`)).json(), { greeting: 'given' });
  } finally {
    await running.stop();
  }
});

test('a service without a database asking the kit for one fails at build, naming itself', async () => {
  const definition = defineService({ name: 'no-db', loadConfig: () => settings, build: async (_config, kit) => { await kit.db({ url: 'postgres://127.0.0.1:1/x' }); throw new Error('unreachable'); } });
  try {
    await definition.start({ logger: quiet });
    assert.unreachable('should have failed');
  } catch (error) {
    assert.match((error as Error).message, /no-db declares no database/);
  }
});

test.run();
