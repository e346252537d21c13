import { createLogger } from '@ticketping/logger';
import { randomPrefix, testEnv } from '@ticketping/testing';
import { createKafkaBus } from '../src/index.ts';
import { busContract } from './contract.ts';

const logger = createLogger({ service: 'bus-test', level: 'warn' });

const test = busContract({
  name: 'kafka',
  timeoutMs: 30_000,
  createBus: (registry) =>
    createKafkaBus({ clientId: 'bus-contract', brokers: testEnv.kafkaBrokers, logger, metrics: registry, topicPrefix: `${randomPrefix('bus')}.` }),
});

test.run();
