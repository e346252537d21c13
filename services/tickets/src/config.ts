import { env, kafkaSettings, loadConfig as load, serviceSettings, z } from '@ticketping/config';

/**
 * The tickets service's environment. Defaults are the standalone defaults (services/standalone
 * runs every service on loopback); the chart sets real secrets.
 */
export const ticketsConfigSchema = z.object({
  ...serviceSettings(8086),
  DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/ticketping'),
  DATABASE_POOL_MAX: env.int(10, 1),
  ...kafkaSettings('tickets'),
  OUTBOX_POLL_INTERVAL_MS: env.int(50, 5),
  /**
   * Private Ed25519 JWK, or a JSON array of them: the first signs codes, all are published.
   * Rotate by putting a new key first; keep old ones as long as tickets signed with them may be
   * scanned. Unset: one key is generated at the first start and kept in the database.
   */
  TICKET_SIGNING_KEYS: z.string().optional(),
  /** auth's internal address: a transfer and a staff grant name the other account by e-mail. */
  AUTH_URL: z.string().url().default('http://127.0.0.1:8081'),
  /** How long a call to auth may take before the request answers 503. */
  AUTH_TIMEOUT_MS: env.int(2000, 50),
  /** Transfers allowed per ticket (touting: a ticket that changes hands again and again is being sold on). */
  TRANSFER_LIMIT: env.int(2, 0),
  /**
   * Where the tickets e-mail goes out (`smtp://[user:pass@]host[:port]` or `smtps://…`). Unset: no
   * e-mail is sent (logged once at start); the tickets are on the fan's page all the same.
   */
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default('TicketPing <tickets@ticketping.invalid>'),
  /** The fans' pages as a fan's browser reaches them: the link in the tickets e-mail. */
  PUBLIC_URL: z.string().url().default('http://127.0.0.1:8080'),
  MAIL_POLL_INTERVAL_MS: env.int(1000, 10),
  /** Mail passes side by side; each holds a database connection (of DATABASE_POOL_MAX) while it sends. */
  MAIL_CONCURRENCY: env.int(2, 1),
  /** Largest batch of scans one sync may send. */
  MAX_SCANS_PER_SYNC: env.int(500, 1),
});

export type TicketsConfig = z.infer<typeof ticketsConfigSchema>;

export function loadConfig(source: Record<string, string | undefined> = process.env): TicketsConfig {
  return load(ticketsConfigSchema, source);
}
