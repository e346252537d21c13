import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createMemoryBus, type Bus, type BusEvent } from '@ticketping/bus';
import { createTestDatabase, type TestDatabase } from '@ticketping/db/testing';
import { listen, type RunningServer } from '@ticketping/http';
import { createLogger } from '@ticketping/logger';
import { createMetrics, type ServiceMetrics } from '@ticketping/metrics';
import { expectContract, testEnv } from '@ticketping/testing';
import { paymentConfigSchema, type PaymentConfig } from '../src/config.ts';
import { MIGRATIONS_DIRECTORY, SCHEMA } from '../src/migrate.ts';
import type { PaymentProvider } from '../src/provider/provider.ts';
import { createSimulatedProvider, type SimulatedProvider } from '../src/provider/simulated-provider.ts';
import { createService, type PaymentService } from '../src/service.ts';

export const INTERNAL_TOKEN = 'test-internal-token-0123456789';
/** Silent unless TEST_LOG_LEVEL is set (then JSON lines on stdout, for debugging a failure). */
export const quietLogger = () =>
  process.env.TEST_LOG_LEVEL
    ? createLogger({ service: 'payment-test', level: process.env.TEST_LOG_LEVEL })
    : createLogger({ service: 'payment-test', level: 'silent', destination: new Writable({ write(_c, _e, done) { done(); } }) });

/** A JSON response body; tests read the fields they expect. */
export type Body = Record<string, unknown> & { id: string; status: string; code?: string };

export interface Harness {
  db: TestDatabase;
  bus: Bus;
  metrics: ServiceMetrics;
  service: PaymentService;
  simulator: SimulatedProvider;
  server: RunningServer;
  base: string;
  config: PaymentConfig;
  /** Delivers `order.created` as booking would; returns the order. */
  createOrder(options?: { userId?: string; amount?: number; expiresInMs?: number }): Promise<{ orderId: string; userId: string; amount: number }>;
  orderEvent(type: string, payload: Record<string, unknown>): BusEvent;
  pay(userId: string, body: unknown, key?: string | null, extra?: Record<string, string>): Promise<{ status: number; body: Body; headers: Headers }>;
  headers(userId: string, extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

export async function startPayment(options: { env?: Record<string, string>; provider?: (simulator: SimulatedProvider) => PaymentProvider; bus?: Bus } = {}): Promise<Harness> {
  const db = await createTestDatabase(testEnv.postgresUrl, [{ directory: MIGRATIONS_DIRECTORY, schema: SCHEMA }]);
  const logger = quietLogger();
  const metrics = createMetrics('payment', { defaultMetrics: false });
  const bus = options.bus ?? createMemoryBus({ logger, metrics: metrics.registry });
  const config = paymentConfigSchema.parse({
    INTERNAL_TOKEN, DATABASE_URL: db.url, OUTBOX_POLL_INTERVAL_MS: '20', SIMULATED_PROVIDER_DELAY_MS: '200', ORDER_ARRIVAL_WAIT_MS: '1500', ...options.env,
  });
  const simulator = createSimulatedProvider({ delayMs: config.SIMULATED_PROVIDER_DELAY_MS, mode: 'normal', slowMs: config.SIMULATED_PROVIDER_SLOW_MS });
  const service = createService({ config, logger, metrics, db: db.knex, bus, provider: options.provider ? options.provider(simulator) : simulator });
  await service.start();
  const server = await listen(service.app, 0);
  const base = `http://127.0.0.1:${server.port}`;
  const orderEvent = (type: string, payload: Record<string, unknown>): BusEvent => ({ id: randomUUID(), type, key: String(payload.orderId), payload, occurredAt: new Date().toISOString() });
  const headers = (userId: string, extra: Record<string, string> = {}) => ({
    'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': userId, 'x-user-role': 'USER', ...extra,
  });
  return {
    db, bus, metrics, service, simulator, server, base, config, orderEvent, headers,
    async createOrder({ userId = randomUUID(), amount = 120_000, expiresInMs = 600_000 } = {}) {
      const orderId = randomUUID();
      await service.handleEvent(orderEvent('order.created', {
        orderId, userId, performanceId: randomUUID(), scheduleId: randomUUID(), seatIds: [randomUUID()], amount, currency: 'KRW',
        expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
      }));
      return { orderId, userId, amount };
    },
    async pay(userId, body, key = randomUUID(), extra = {}) {
      const res = await fetch(`${base}/api/v1/payments`, {
        method: 'POST', headers: headers(userId, { ...(key === null ? {} : { 'idempotency-key': key }), ...extra }), body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const answer = { status: res.status, body: (await res.json()) as Body, headers: res.headers };
      expectContract('createPayment', answer.status, answer.body);
      return answer;
    },
    async close() {
      await server.close();
      await service.stop();
      if (!options.bus) await bus.close();
      await db.drop();
    },
  };
}

export const card = (cardNumber: string) => ({ type: 'card', cardNumber });
export const GOOD = '4242424242424242';
export const DECLINED = '4000000000000002';
/** Any other valid number: approved after the simulator's delay. */
export const OTHER = '5555555555554444';

/** Collects events through a consumer group of its own. */
export async function recordEvents(bus: Bus, topics: string[]) {
  const events: Array<BusEvent & { topic: string }> = [];
  const subscription = await bus.subscribe({ group: `recorder-${randomUUID()}`, topics, handle: async (event, topic) => { events.push({ ...event, topic }); } });
  return { events, of: (type: string) => events.filter((e) => e.type === type), stop: () => subscription.stop() };
}
