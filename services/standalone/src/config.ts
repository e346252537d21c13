import { env, loadConfig, z } from '@ticketping/config';

const schema = z.object({
  PORT: env.port(8080),
  DATA_DIR: z.string().default('.data'),
  SEED_DEMO: env.bool(true),
  LOG_LEVEL: env.logLevel().default('warn'),
});

export type StandaloneConfig = z.infer<typeof schema>;

export function loadStandaloneConfig(source: Record<string, string | undefined> = process.env): StandaloneConfig {
  return loadConfig(schema, source);
}
