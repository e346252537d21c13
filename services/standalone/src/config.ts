import { env, loadConfig, z } from '@ticketping/config';

const schema = z.object({
  PORT: env.port(8080),
  DATA_DIR: z.string().default('.data'),
  /** The local mailbox's page (0: any free port; the banner prints where it is). */
  MAIL_PORT: env.port(0),
  SEED_DEMO: env.bool(true),
  LOG_LEVEL: env.logLevel().default('warn'),
});

export type StandaloneConfig = z.infer<typeof schema>;

export function loadStandaloneConfig(source: Record<string, string | undefined> = process.env): StandaloneConfig {
  return loadConfig(schema, source);
}

/** The services behind the gateway first, then the gateway: the order standalone starts them in. */
export const SERVICE_NAMES = ['auth', 'catalog', 'queue', 'booking', 'payment', 'tickets', 'gateway'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** What a service process needs beyond its own service's settings (standalone sets both). */
const serviceProcessSchema = z.object({
  /** 0 on its first start (any free port); the same port again when the supervisor restarts it. */
  PORT: env.port(0),
  MANAGEMENT_PORT: env.port(0),
  LOG_LEVEL: env.logLevel().default('warn'),
  /** The Redis whose streams carry the events between the service processes. */
  BUS_REDIS_URL: z.string().url(),
});

export function loadServiceProcessConfig(source: Record<string, string | undefined> = process.env): z.infer<typeof serviceProcessSchema> {
  return loadConfig(serviceProcessSchema, source);
}
