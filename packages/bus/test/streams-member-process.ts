/**
 * A Redis Streams consumer in its own process, for the crash tests in redis-streams.int.test.ts:
 * it subscribes as MEMBER_NAME, tells the parent the id of the first event it receives and then
 * hangs inside the handler (nothing acknowledged) until the parent kills it with SIGKILL.
 */
import { createLogger } from '@ticketping/logger';
import { createRedisStreamsBus } from '../src/index.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const bus = createRedisStreamsBus({
  url: env('MEMBER_REDIS_URL'),
  consumerName: env('MEMBER_NAME'),
  topicPrefix: env('MEMBER_TOPIC_PREFIX'),
  visibilityTimeoutMs: Number(env('MEMBER_VISIBILITY_MS')),
  logger: createLogger({ service: 'streams-member', level: 'warn' }),
});
await bus.subscribe({
  group: env('MEMBER_GROUP'),
  topics: [env('MEMBER_TOPIC')],
  handle: async (event) => {
    process.send?.({ received: event.id });
    await new Promise<never>(() => {});
  },
});
process.send?.({ subscribed: true });
