export type { Bus, BusEvent, Handler, HandleResult, SubscribeOptions, Subscription } from './types.ts';
export { DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_BACKOFF_MS } from './types.ts';
export { DLQ_HEADERS, deadLetterTopic } from './envelope.ts';
export { createKafkaBus, type KafkaBusOptions } from './kafka-bus.ts';
export { createMemoryBus, type MemoryBusOptions } from './memory-bus.ts';
export { createBusMetrics, createOutboxMetrics, type BusMetrics, type OutboxMetrics } from './metrics.ts';
export { createOutboxTable, dropOutboxTable, enqueue, outboxMigration, type OutboxMessage } from './outbox.ts';
export { startOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from './outbox-relay.ts';
export { createInboxTable, handleOnce, inboxMigration } from './inbox.ts';
