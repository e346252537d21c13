import { Writable } from 'node:stream';
import { createMemoryBus, type Bus } from '@ticketping/bus';
import { createTestDatabase, type TestDatabase } from '@ticketping/db/testing';
import { listen, type RunningServer } from '@ticketping/http';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { expectContract, testEnv } from '@ticketping/testing';
import { MIGRATIONS_DIRECTORY, SCHEMA } from '../src/migrate.ts';
import { createService, type CatalogService } from '../src/service.ts';

export const INTERNAL_TOKEN = 'test-internal-token-0123456789';
export const ADMIN = { 'x-user-id': '00000000-0000-4000-8000-000000000001', 'x-user-role': 'ADMIN' };
export const FAN = { 'x-user-id': '00000000-0000-4000-8000-000000000002', 'x-user-role': 'USER' };

export interface Harness {
  db: TestDatabase;
  bus: Bus;
  service: CatalogService;
  server: RunningServer;
  /** A request as the gateway would forward it (internal token), plus any identity headers. */
  call(path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

const logger = createLogger({ service: 'catalog', level: 'warn', destination: new Writable({ write(_chunk, _encoding, done) { done(); } }) });

/** A catalog on its own fresh database, served on a free port; the bus is in memory unless given. */
export async function startCatalog(options: { bus?: Bus; seatMapTtlMs?: number; start?: boolean } = {}): Promise<Harness> {
  const db = await createTestDatabase(testEnv.postgresUrl, [{ directory: MIGRATIONS_DIRECTORY, schema: SCHEMA }]);
  const bus = options.bus ?? createMemoryBus({ logger });
  const replica = await startReplica({ db, bus, seatMapTtlMs: options.seatMapTtlMs, start: options.start ?? true });
  return {
    ...replica,
    db,
    bus,
    async close() {
      await replica.close();
      await bus.close();
      await db.drop();
    },
  };
}

export type Replica = Pick<Harness, 'service' | 'server' | 'call' | 'close'>;

/** One more catalog process on a harness's database and bus, with its own seat-map cache. */
export async function startReplica({ db, bus, seatMapTtlMs = 250, start = false, now }: { db: TestDatabase; bus: Bus; seatMapTtlMs?: number | undefined; start?: boolean; now?: () => Date }): Promise<Replica> {
  const service = createService({
    config: { INTERNAL_TOKEN, OUTBOX_POLL_MS: 50, SEAT_MAP_TTL_MS: seatMapTtlMs },
    logger,
    metrics: createMetrics('catalog', { defaultMetrics: false }),
    db: db.knex,
    bus,
    ...(now ? { now } : {}),
  });
  if (start) await service.start();
  const server = await listen(service.app, 0);
  const base = `http://127.0.0.1:${server.port}`;
  return {
    service,
    server,
    call: (path, init = {}) =>
      fetch(`${base}${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: { 'x-internal-token': INTERNAL_TOKEN, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
        ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
      }),
    async close() {
      await server.close();
      await service.stop();
    },
  };
}

const DAY = 24 * 3600_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

/** A valid admin body: `sections` × rows × seats per row seats on each of `schedules` schedules. */
export function performanceBody(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Hamlet',
    venue: 'National Theater',
    description: 'To be, or not to be',
    bookingOpensAt: inDays(-1),
    bookingClosesAt: inDays(20),
    maxSeatsPerOrder: 4,
    schedules: [{ startsAt: inDays(25) }, { startsAt: inDays(26) }],
    sections: [
      { name: 'Floor', rows: 3, seatsPerRow: 4, grade: 'VIP', price: 150000, currency: 'KRW' },
      { name: 'Balcony', rows: 2, seatsPerRow: 5, grade: 'R', price: 90000, currency: 'KRW' },
    ],
    queue: { capacity: 100, admitPerMinute: 600 },
    ...overrides,
  };
}

export interface SeatView { id: string; section: string; row: number; number: number; grade: string; price: number; currency: string; status: string }
export interface PerformanceView {
  id: string;
  title: string;
  status: string;
  maxSeatsPerOrder: number;
  maxSeatsPerPerson: number;
  requireVerifiedEmail: boolean;
  bookingOpensAt: string;
  bookingClosesAt: string;
  schedules: { id: string; startsAt: string }[];
  grades: { name: string; price: number; currency: string }[];
}

export async function createPerformance(h: Harness, overrides: Record<string, unknown> = {}): Promise<PerformanceView> {
  const res = await h.call('/api/v1/performances', { body: performanceBody(overrides), headers: ADMIN });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as PerformanceView;
}

export async function seatMap(h: Pick<Harness, 'call'>, scheduleId: string): Promise<SeatView[]> {
  const res = await h.call(`/api/v1/schedules/${scheduleId}/seats`);
  if (res.status !== 200) throw new Error(`seat map failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { items: SeatView[] };
  expectContract('getSeatMap', res.status, body);
  return body.items;
}
