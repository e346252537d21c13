import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, env, kafkaSettings, loadConfig, serviceSettings, z } from './index.ts';

const schema = z.object({
  PORT: env.port(8080),
  REDIS_URL: env.url(),
  KAFKA_BROKERS: env.list(),
  FEATURE_ON: env.bool(false),
});

test('parses and applies defaults', () => {
  const config = loadConfig(schema, { REDIS_URL: 'redis://127.0.0.1:6379', KAFKA_BROKERS: 'a:1, b:2' });
  assert.equal(config, { PORT: 8080, REDIS_URL: 'redis://127.0.0.1:6379', KAFKA_BROKERS: ['a:1', 'b:2'], FEATURE_ON: false });
});

test('names every bad or missing key at once', () => {
  try {
    loadConfig(schema, { PORT: 'eighty', FEATURE_ON: 'maybe' });
    assert.unreachable('should throw');
  } catch (error) {
    assert.instance(error, ConfigError);
    const { problems, message } = error as ConfigError;
    assert.is(problems.length, 4);
    for (const key of ['PORT', 'REDIS_URL', 'KAFKA_BROKERS', 'FEATURE_ON']) assert.ok(message.includes(key), `${key} named`);
    assert.ok(problems.some((p) => p.startsWith('REDIS_URL') && p.includes('missing')));
  }
});

test('booleans accept the usual spellings', () => {
  const s = z.object({ A: env.bool(false), B: env.bool(true) });
  assert.equal(loadConfig(s, { A: 'yes', B: '0' }), { A: true, B: false });
});

test('every service needs the internal token; the rest has standalone defaults', () => {
  const schema = z.object({ ...serviceSettings(8084), ...kafkaSettings('booking') });
  assert.throws(() => loadConfig(schema, {}), /INTERNAL_TOKEN/);
  const config = loadConfig(schema, { INTERNAL_TOKEN: 'x'.repeat(16), KAFKA_BROKERS: 'k1:9092' });
  assert.equal([config.PORT, config.HOST, config.KAFKA_BROKERS, config.KAFKA_CLIENT_ID, config.KAFKA_TOPIC_PREFIX], [8084, '127.0.0.1', ['k1:9092'], 'booking', '']);
});

test.run();
