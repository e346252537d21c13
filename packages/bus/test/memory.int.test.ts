import { createLogger } from '@ticketping/logger';
import { createMemoryBus } from '../src/index.ts';
import { busContract } from './contract.ts';

const logger = createLogger({ service: 'bus-test', level: 'warn' });

const test = busContract({ name: 'memory', timeoutMs: 5_000, createBus: (registry) => createMemoryBus({ logger, metrics: registry }) });

test.run();
