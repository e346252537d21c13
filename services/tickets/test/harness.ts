import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { loadConfig } from '@ticketping/auth/config';
import { MIGRATIONS_DIRECTORY as AUTH_MIGRATIONS, SCHEMA as AUTH_SCHEMA } from '@ticketping/auth/migrate';
import { createService as createAuth } from '@ticketping/auth/service';
import { createMemoryBus, type Bus, type BusEvent } from '@ticketping/bus';
import { createTestDatabase, type TestDatabase } from '@ticketping/db/testing';
import { listen, type RunningServer } from '@ticketping/http';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { createRedis } from '@ticketping/redis';
import { eventually, expectContractAt, randomPrefix, testEnv } from '@ticketping/testing';
import { ticketsConfigSchema } from '../src/config.ts';
import { MIGRATIONS_DIRECTORY, SCHEMA } from '../src/migrate.ts';
import { createService, type TicketsService } from '../src/service.ts';
import { TOPICS } from '../src/tickets/tickets.events.ts';

export const INTERNAL_TOKEN = 'test-internal-token-0123456789';
/** Silent unless TEST_LOG_LEVEL is set (then JSON lines on stdout, for debugging a failure). */
export const quietLogger = (service = 'tickets-test') =>
  process.env.TEST_LOG_LEVEL
    ? createLogger({ service, level: process.env.TEST_LOG_LEVEL })
    : createLogger({ service, level: 'silent', destination: new Writable({ write(_c, _e, done) { done(); } }) });

export type Body = Record<string, unknown>;
export interface Account { id: string; email: string }
export interface Show { performanceId: string; scheduleId: string; otherScheduleId: string; seatIds: string[] }

/** The real auth service (its own database, Redis prefix): transfers and staff grants look accounts up there. */
async function startAuth() {
  const db = await createTestDatabase(testEnv.postgresUrl, [{ directory: AUTH_MIGRATIONS, schema: AUTH_SCHEMA }]);
  const redis = createRedis({ url: testEnv.redisUrl });
  const keyPrefix = randomPrefix('tickets-auth');
  const config = loadConfig({ INTERNAL_TOKEN, DATABASE_URL: db.url, PASSWORD_HASH_COST: '10', REDIS_KEY_PREFIX: keyPrefix });
  const service = createAuth({ config, logger: quietLogger('auth-test'), metrics: createMetrics('auth', { defaultMetrics: false }), db: db.knex, redis });
  await service.start();
  const server = await listen(service.app, 0);
  const base = `http://127.0.0.1:${server.port}`;
  let n = 0;
  return {
    base,
    async signUp(): Promise<Account> {
      const email = `fan${++n}.${keyPrefix}@example.test`;
      const res = await fetch(`${base}/api/v1/users`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN }, body: JSON.stringify({ email, password: 'fan-password-1', nickname: 'Fan' }),
      });
      if (res.status !== 201) throw new Error(`sign-up failed: ${res.status}`);
      return { id: ((await res.json()) as { id: string }).id, email };
    },
    async close() {
      await server.close();
      await service.stop();
      const keys = await redis.keys(`${keyPrefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await db.drop();
    },
  };
}

export interface Harness {
  db: TestDatabase;
  bus: Bus;
  service: TicketsService;
  base: string;
  auth: Awaited<ReturnType<typeof startAuth>>;
  /** Publishes a performance with two dates and `seats` seats on the first, as catalog does. */
  publishShow(seats?: number): Promise<Show>;
  /** `order.confirmed` as booking publishes it; returns the event (to deliver it again). */
  confirmOrder(userId: string, show: Show, seatIds: string[]): Promise<BusEvent>;
  orderEvent(type: string, orderId: string, userId: string, show: Show, seatIds: string[]): BusEvent;
  call(method: string, path: string, options?: { userId?: string; role?: 'USER' | 'ADMIN'; body?: unknown; internal?: boolean }): Promise<{ status: number; body: Body; headers: Headers; text: string }>;
  /** The fan's tickets of an order, once they were issued. */
  ticketsOf(userId: string, orderId: string, count: number): Promise<Array<Body & { id: string; code: { code: string } | null }>>;
  close(): Promise<void>;
}

const event = (type: string, key: string, payload: unknown): BusEvent => ({ id: randomUUID(), type, key, payload, occurredAt: new Date().toISOString() });

export async function startTickets(options: { bus?: Bus; env?: Record<string, string>; now?: () => number } = {}): Promise<Harness> {
  const auth = await startAuth();
  const db = await createTestDatabase(testEnv.postgresUrl, [{ directory: MIGRATIONS_DIRECTORY, schema: SCHEMA }]);
  const logger = quietLogger();
  const metrics = createMetrics('tickets', { defaultMetrics: false });
  const bus = options.bus ?? createMemoryBus({ logger, metrics: metrics.registry });
  const config = ticketsConfigSchema.parse({ INTERNAL_TOKEN, DATABASE_URL: db.url, OUTBOX_POLL_INTERVAL_MS: '20', AUTH_URL: auth.base, ...options.env });
  const service = createService({ config, logger, metrics, db: db.knex, bus, ...(options.now ? { now: options.now } : {}) });
  await service.start();
  const server: RunningServer = await listen(service.app, 0);
  const base = `http://127.0.0.1:${server.port}`;

  const orderEvent = (type: string, orderId: string, userId: string, show: Show, seatIds: string[]) =>
    event(type, orderId, { orderId, userId, performanceId: show.performanceId, scheduleId: show.scheduleId, seatIds, paymentId: randomUUID() });

  const call: Harness['call'] = async (method, path, { userId, role = 'USER', body, internal = true } = {}) => {
    const headers: Record<string, string> = {};
    if (internal) headers['x-internal-token'] = INTERNAL_TOKEN;
    if (userId) Object.assign(headers, { 'x-user-id': userId, 'x-user-role': role });
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    let parsed: Body = {};
    const isJson = /json/.test(res.headers.get('content-type') ?? '');
    if (isJson) parsed = JSON.parse(text) as Body;
    // Every public answer must be what docs/openapi.yaml (packages/contracts) says it is.
    expectContractAt(method, path, res.status, isJson ? parsed : text === '' ? undefined : text);
    return { status: res.status, body: parsed, headers: res.headers, text };
  };

  return {
    db, bus, service, base, auth, call, orderEvent,
    async publishShow(seats = 4) {
      const show: Show = { performanceId: randomUUID(), scheduleId: randomUUID(), otherScheduleId: randomUUID(), seatIds: Array.from({ length: seats }, () => randomUUID()) };
      const startsAt = (days: number) => new Date(Date.now() + days * 24 * 3600_000).toISOString();
      await bus.publish(TOPICS.catalog, [
        event('performance.published', show.performanceId, {
          performanceId: show.performanceId, title: 'Hamlet', bookingOpensAt: startsAt(-1), bookingClosesAt: startsAt(6), maxSeatsPerOrder: 4,
          queue: { capacity: 100, admitPerMinute: 600 }, totalSeats: seats,
          schedules: [{ scheduleId: show.scheduleId, startsAt: startsAt(7) }, { scheduleId: show.otherScheduleId, startsAt: startsAt(8) }],
        }),
        event('seats.published', show.performanceId, {
          performanceId: show.performanceId, scheduleId: show.scheduleId, part: 1, parts: 1,
          seats: show.seatIds.map((seatId, i) => ({ seatId, section: 'A', row: 3, number: i + 1, grade: 'R', price: 50_000, currency: 'KRW' })),
        }),
      ]);
      await eventually(async () => (await db.knex('seats').whereIn('seat_id', show.seatIds)).length === seats);
      return show;
    },
    async confirmOrder(userId, show, seatIds) {
      const confirmed = orderEvent('order.confirmed', randomUUID(), userId, show, seatIds);
      await bus.publish(TOPICS.orders, [confirmed]);
      return confirmed;
    },
    async ticketsOf(userId, orderId, count) {
      return eventually(async () => {
        const res = await call('GET', '/api/v1/tickets', { userId });
        const items = (res.body.items as Array<Body & { id: string; orderId: string; code: { code: string } | null }>).filter((t) => t.orderId === orderId);
        return items.length === count ? items : undefined;
      });
    },
    async close() {
      await server.close();
      await service.stop();
      if (!options.bus) await bus.close();
      await db.drop();
      await auth.close();
    },
  };
}

/** Collects events through a consumer group of its own. */
export async function recordEvents(bus: Bus, topics: string[]) {
  const events: Array<BusEvent & { topic: string }> = [];
  const subscription = await bus.subscribe({ group: `recorder-${randomUUID()}`, topics, handle: async (e, topic) => { events.push({ ...e, topic }); } });
  return { events, of: (type: string) => events.filter((e) => e.type === type), stop: () => subscription.stop() };
}

/** One scan as a scanner sends it. */
export const scan = (code: string, scheduleId: string, scannedAt = new Date()) => ({ scanId: randomUUID(), scheduleId, code, scannedAt: scannedAt.toISOString() });
