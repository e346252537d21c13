import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createSigner, generateSigningKey, publicJwks, type PrivateJwk, type TokenSigner } from '@ticketping/auth-tokens';
import { createMemoryBus, type Bus, type BusEvent } from '@ticketping/bus';
import { createTestDatabase, type TestDatabase } from '@ticketping/db/testing';
import { listen, type RunningServer } from '@ticketping/http';
import { createLogger } from '@ticketping/logger';
import { createMetrics, type ServiceMetrics } from '@ticketping/metrics';
import type { RedisClient } from '@ticketping/redis';
import { expectContract, testEnv } from '@ticketping/testing';
import { bookingConfigSchema, type BookingConfig } from '../src/config.ts';
import { MIGRATIONS_DIRECTORY, SCHEMA } from '../src/migrate.ts';
import { createService, type BookingService } from '../src/service.ts';

export const INTERNAL_TOKEN = 'test-internal-token-0123456789';
/** Silent unless TEST_LOG_LEVEL is set (then JSON lines on stdout, for debugging a failure). */
export const quietLogger = () =>
  process.env.TEST_LOG_LEVEL
    ? createLogger({ service: 'booking-test', level: process.env.TEST_LOG_LEVEL })
    : createLogger({ service: 'booking-test', level: 'silent', destination: new Writable({ write(_c, _e, done) { done(); } }) });

/** A JSON response body; tests read the fields they expect. */
export type Body = Record<string, unknown> & { id: string; status: string; code?: string };

/** `scheduleId` and `seatIds` are the first schedule's; `schedules` lists every one. */
export interface SeededPerformance { performanceId: string; scheduleId: string; seatIds: string[]; price: number; schedules: Array<{ scheduleId: string; seatIds: string[] }> }

/** Events as catalog publishes them (docs/events.md), for seeding booking's copy. */
export function catalogEvents(options: { seats: number; schedules?: number; maxSeatsPerOrder?: number; maxSeatsPerPerson?: number; price?: number; opensAt?: Date; closesAt?: Date }): { events: BusEvent[]; seeded: SeededPerformance } {
  const performanceId = randomUUID();
  const price = options.price ?? 50_000;
  const schedules = Array.from({ length: options.schedules ?? 1 }, (_, n) => ({
    scheduleId: randomUUID(),
    startsAt: new Date(Date.now() + (7 + n) * 24 * 3600_000).toISOString(),
    seats: Array.from({ length: options.seats }, (_, i) => ({
      seatId: randomUUID(), section: 'A', row: Math.floor(i / 50) + 1, number: (i % 50) + 1, grade: 'R', price, currency: 'KRW',
    })),
  }));
  const event = (type: string, payload: unknown): BusEvent => ({ id: randomUUID(), type, key: performanceId, payload, occurredAt: new Date().toISOString() });
  const events = [
    event('performance.published', {
      performanceId, title: 'Hamlet', maxSeatsPerOrder: options.maxSeatsPerOrder ?? 4, totalSeats: options.seats * schedules.length,
      ...(options.maxSeatsPerPerson ? { maxSeatsPerPerson: options.maxSeatsPerPerson } : {}),
      bookingOpensAt: (options.opensAt ?? new Date(Date.now() - 3600_000)).toISOString(),
      bookingClosesAt: (options.closesAt ?? new Date(Date.now() + 24 * 3600_000)).toISOString(),
      queue: { capacity: 100, admitPerMinute: 600 },
      schedules: schedules.map((s) => ({ scheduleId: s.scheduleId, startsAt: s.startsAt })),
    }),
  ];
  for (const { scheduleId, seats } of schedules) {
    for (let i = 0; i < seats.length; i += 500) events.push(event('seats.published', { performanceId, scheduleId, seats: seats.slice(i, i + 500) }));
  }
  const seeded = schedules.map((s) => ({ scheduleId: s.scheduleId, seatIds: s.seats.map((seat) => seat.seatId) }));
  return { events, seeded: { performanceId, scheduleId: seeded[0]!.scheduleId, seatIds: seeded[0]!.seatIds, price, schedules: seeded } };
}

export interface Harness {
  db: TestDatabase;
  bus: Bus;
  metrics: ServiceMetrics;
  service: BookingService;
  server: RunningServer;
  base: string;
  signer: TokenSigner;
  config: BookingConfig;
  seed(options: Parameters<typeof catalogEvents>[0]): Promise<SeededPerformance>;
  /** Headers the gateway would send for this fan, with an admission token for `performanceId`. */
  headers(userId: string, performanceId?: string, extra?: Record<string, string>): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** Booking on its own database (cloned from the migrated template), the memory bus unless given one. */
export async function startBooking(options: {
  bus?: Bus; env?: Record<string, string>; start?: boolean; now?: () => Date;
  /** The waiting room's signing key and Redis: tokens are then the queue's, and orders need a live slot. */
  queue?: { key: PrivateJwk; redis: RedisClient };
} = {}): Promise<Harness> {
  const db = await createTestDatabase(testEnv.postgresUrl, [{ directory: MIGRATIONS_DIRECTORY, schema: SCHEMA }]);
  const logger = quietLogger();
  const metrics = createMetrics('booking', { defaultMetrics: false });
  const bus = options.bus ?? createMemoryBus({ logger, metrics: metrics.registry });
  const key = options.queue?.key ?? await generateSigningKey();
  const signer = await createSigner('ticketping-queue', key);
  const config = bookingConfigSchema.parse({
    INTERNAL_TOKEN, QUEUE_JWKS: JSON.stringify(publicJwks([key])), DATABASE_URL: db.url, OUTBOX_POLL_INTERVAL_MS: '20', ...options.env,
  });
  const service = createService({ config, logger, metrics, db: db.knex, bus, ...(options.now ? { now: options.now } : {}), ...(options.queue ? { queueRedis: options.queue.redis } : {}) });
  if (options.start ?? true) await service.start();
  const server = await listen(service.app, 0);
  return {
    db, bus, metrics, service, server, signer, config,
    base: `http://127.0.0.1:${server.port}`,
    async seed(seedOptions) {
      const { events, seeded } = catalogEvents(seedOptions);
      for (const event of events) await service.handleEvent(event);
      return seeded;
    },
    async headers(userId, performanceId, extra = {}) {
      const token = performanceId ? (await signer.sign({ subject: userId, audience: performanceId, expiresInSeconds: 600 })).token : undefined;
      return {
        'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': userId, 'x-user-role': 'USER',
        ...(token ? { 'x-queue-token': token } : {}), ...extra,
      };
    },
    async close() {
      await server.close();
      await service.stop();
      if (!options.bus) await bus.close();
      await db.drop();
    },
  };
}

export async function placeOrder(h: Harness, userId: string, seeded: SeededPerformance, seatIds: string[], extra: Record<string, string> = {}) {
  const res = await fetch(`${h.base}/api/v1/orders`, {
    method: 'POST', headers: await h.headers(userId, seeded.performanceId, extra), body: JSON.stringify({ scheduleId: seeded.scheduleId, seatIds }),
  });
  const body = (await res.json()) as Body;
  expectContract('placeOrder', res.status, body);
  return { status: res.status, body, headers: res.headers };
}

/** Collects what booking publishes, through a consumer group of its own. */
export async function recordEvents(bus: Bus, topics: string[]): Promise<{ events: Array<BusEvent & { topic: string }>; of(type: string): BusEvent[]; stop(): Promise<void> }> {
  const events: Array<BusEvent & { topic: string }> = [];
  const subscription = await bus.subscribe({ group: `recorder-${randomUUID()}`, topics, handle: async (event, topic) => { events.push({ ...event, topic }); } });
  return { events, of: (type) => events.filter((e) => e.type === type), stop: () => subscription.stop() };
}

export function paymentEvent(type: 'payment.succeeded' | 'payment.refunded' | 'payment.failed', payment: { paymentId: string; orderId: string; userId: string; amount: number; currency?: string }): BusEvent {
  return { id: randomUUID(), type, key: payment.orderId, occurredAt: new Date().toISOString(), payload: { currency: 'KRW', ...payment } };
}
