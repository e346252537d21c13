import { env, kafkaSettings, loadConfig as load, serviceSettings, z } from '@ticketping/config';

/**
 * Booking's environment. Defaults are the standalone defaults (services/standalone runs every
 * service on loopback); the chart sets real secrets.
 */
export const bookingConfigSchema = z.object({
  ...serviceSettings(8084),
  DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/ticketping'),
  DATABASE_POOL_MAX: env.int(10, 1),
  ...kafkaSettings('booking'),
  /** Admission tokens are signed by the queue; booking verifies them locally against its JWKS. */
  QUEUE_JWKS_URL: z.string().url().default('http://127.0.0.1:8083/.well-known/jwks.json'),
  /** A JWKS as JSON; when set it is used instead of fetching QUEUE_JWKS_URL. */
  QUEUE_JWKS: z.string().optional(),
  QUEUE_TOKEN_ISSUER: z.string().default('ticketping-queue'),
  /**
   * The waiting room's Redis: an order needs the fan's live admission slot there (one read per
   * order), not only a token that has not expired yet.
   */
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  REDIS_CLUSTER_NODES: env.list().optional(),
  /** How long seats stay held for a fan who has not paid yet (the advertised `expiresAt`). */
  HOLD_TTL_SECONDS: env.int(600, 1),
  /**
   * The sweeper expires a hold this long after `expiresAt`, so a payment started just before the
   * deadline usually lands on a live order instead of needing a refund.
   */
  HOLD_EXPIRY_GRACE_SECONDS: env.int(30),
  HOLD_SWEEP_INTERVAL_MS: env.int(1000, 20),
  /** How long a waitlisted fan has to claim seats offered to them before they go to the next fan. */
  WAITLIST_CLAIM_SECONDS: env.int(600, 1),
  /** How often lapsed offers are looked for (each replica; they take turns on rows). */
  OFFER_SWEEP_INTERVAL_MS: env.int(1000, 20),
  /**
   * Kept from a returned ticket's refund when its seat is resold: this share of the price paid
   * (whole percent), at least RETURN_FEE_MINIMUM (minor units), never more than the price.
   */
  RETURN_FEE_PERCENT: env.int(5, 0).pipe(z.number().max(100)),
  RETURN_FEE_MINIMUM: env.int(0, 0),
  OUTBOX_POLL_INTERVAL_MS: env.int(50, 5),
  /**
   * The offer e-mail (seats, claim deadline, link) goes over SMTP; unset, offers are shown on the
   * fan pages only. The address comes from auth's internal contact lookup at AUTH_URL.
   */
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default('TicketPing <waitlist@ticketping.invalid>'),
  /** Where the fan pages are: the claim link is PUBLIC_URL/#/waitlist/<performanceId>. */
  PUBLIC_URL: z.string().url().default('http://127.0.0.1:8080'),
  AUTH_URL: z.string().url().default('http://127.0.0.1:8081'),
  MAIL_POLL_INTERVAL_MS: env.int(1000, 10),
  /**
   * How long a replica reuses its read of a schedule's seats and prices (0: read every time). A
   * republished price reaches new orders within this; availability is never cached.
   */
  CATALOG_COPY_TTL_MS: env.int(1000),
});

export type BookingConfig = z.infer<typeof bookingConfigSchema>;

export function loadConfig(source: Record<string, string | undefined> = process.env): BookingConfig {
  return load(bookingConfigSchema, source);
}
