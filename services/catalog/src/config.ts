import { env, kafkaSettings, loadConfig as load, serviceSettings, z } from '@ticketping/config';

const schema = z.object({
  ...serviceSettings(8082),
  DATABASE_URL: env.url().default('postgres://postgres@127.0.0.1:5432/ticketping'),
  DATABASE_POOL_MAX: env.int(10, 1),
  ...kafkaSettings('catalog'),
  OUTBOX_POLL_MS: env.int(100, 10),
  /** How long a replica serves a seat map before reading it again; keep it well under a second. */
  SEAT_MAP_TTL_MS: env.int(250, 0).pipe(z.number().max(900, 'must stay under a second: fans must see holds within 1 s')),
});

export type CatalogConfig = z.infer<typeof schema>;

export function loadConfig(source: Record<string, string | undefined> = process.env): CatalogConfig {
  return load(schema, source);
}
