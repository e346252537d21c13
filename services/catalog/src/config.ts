import { env, loadConfig as load, z } from '@ticketping/config';

const schema = z.object({
  PORT: env.port(8082),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: env.logLevel(),
  INTERNAL_TOKEN: z.string().min(16, 'the shared gateway credential must be at least 16 characters'),
  OTEL_EXPORTER_OTLP_ENDPOINT: env.url().optional(),
  DATABASE_URL: env.url().default('postgres://postgres@127.0.0.1:5432/ticketping'),
  DATABASE_POOL_MAX: env.int(10, 1),
  /** Unset: the in-memory bus (standalone mode). */
  KAFKA_BROKERS: env.list().optional(),
  KAFKA_CLIENT_ID: z.string().default('catalog'),
  /** Prepended to every topic and consumer group (several environments on one Kafka cluster). */
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  OUTBOX_POLL_MS: env.int(100, 10),
  /** How long a replica serves a seat map before reading it again; keep it well under a second. */
  SEAT_MAP_TTL_MS: env.int(250, 0).pipe(z.number().max(900, 'must stay under a second: fans must see holds within 1 s')),
});

export type CatalogConfig = z.infer<typeof schema>;

export function loadConfig(source: Record<string, string | undefined> = process.env): CatalogConfig {
  return load(schema, source);
}
