import type { Bus } from '@ticketping/bus';
import { configOrExit } from '@ticketping/config';
import type { Knex } from '@ticketping/db';
import { listenBoth, shutdownOnSignals, type HttpApp } from '@ticketping/http';
import { createLogger, type Logger } from '@ticketping/logger';
import { createMetrics, type ServiceMetrics } from '@ticketping/metrics';
import type { RedisClient } from '@ticketping/redis';
import { initTracing, shutdownTracing, traceFields } from '@ticketping/telemetry';

/** What `build` returns: the HTTP app, and the background work that `start` begins and `stop` ends. */
export interface RunnableService {
  app: HttpApp;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The settings every service reads (`serviceSettings` of @ticketping/config). */
export interface ServiceBaseConfig {
  PORT: number;
  MANAGEMENT_PORT: number;
  HOST: string;
  LOG_LEVEL: string;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
}

/**
 * The clients a service builds itself from. Each is closed at shutdown, after the listeners and the
 * background work stopped: the buses first (no handler runs on a closed pool), then the rest in the
 * order they were made.
 */
export interface ServiceKit {
  logger: Logger;
  metrics: ServiceMetrics;
  /** A pool on the service's own schema (`database.schema`); standalone migrates it first. */
  db(settings: { url: string; poolMax?: number }): Promise<Knex>;
  redis(settings: { url: string; clusterNodes?: string[] | undefined }): RedisClient;
  /** Kafka when brokers are given, else the in-memory bus; standalone's processes share Redis Streams. */
  bus(settings: { brokers?: string[] | undefined; clientId: string; topicPrefix?: string }): Bus;
}

export interface ServiceDefinition<C extends ServiceBaseConfig = ServiceBaseConfig> {
  /** The service's name in logs, metrics, traces and process titles. */
  name: string;
  /** Reads the environment; throws ConfigError naming every bad setting. */
  loadConfig: () => C;
  /** Services with a Postgres schema: its name, and the migrations standalone runs before start. */
  database?: { schema: string; migrate: (knex: Knex) => Promise<string[]> };
  /** Builds the service from its settings and the kit's clients; no listening, no background work yet. */
  build: (config: C, kit: ServiceKit) => RunnableService | Promise<RunnableService>;
}

/** How a host runs a service other than as its own deployment (standalone's process supervisor). */
export interface RunOptions {
  /** Listen here instead of the config's PORT, MANAGEMENT_PORT and HOST. */
  listen?: { port: number; managementPort: number; host: string };
  logLevel?: string;
  /** Migrate the schema before building (a deployment migrates in its own job instead). */
  migrate?: boolean;
  /** Carry events over Redis Streams on this Redis rather than the config's bus. */
  busRedisUrl?: string;
  onListening?: (ports: { port: number; managementPort: number }) => void;
  /** Runs first when a shutdown begins, and last when everything was closed. */
  onStopping?: () => void;
  onStopped?: () => void;
}

/** A service started in this process without signal handling (benches, standalone's processes via run). */
export interface StartOptions<C> extends Omit<RunOptions, 'onListening' | 'onStopping' | 'onStopped'> {
  /** Settings to use as they are instead of `loadConfig()`. */
  config?: C;
  /** Instead of the JSON logger at the config's LOG_LEVEL (a bench silences the service). */
  logger?: Logger;
}

export interface StartedService {
  port: number;
  managementPort: number;
  /** The Redis clients the service made, in order (a bench names them to tell their commands apart). */
  redisClients: RedisClient[];
  /** Stops accepting, drains in-flight requests, stops the background work and closes the clients. */
  stop(): Promise<void>;
}

export interface DefinedService<C extends ServiceBaseConfig = ServiceBaseConfig> extends ServiceDefinition<C> {
  /**
   * Loads the config (every problem printed and exit 1 when it is bad), builds the service, starts
   * its background work, listens on both ports, and on SIGTERM stops accepting, drains in-flight
   * requests, stops the background work, closes the clients and flushes traces.
   */
  run(options?: RunOptions): Promise<void>;
  /** Builds, starts and listens as `run` does, and leaves stopping to the caller. */
  start(options?: StartOptions<C>): Promise<StartedService>;
}

/**
 * Every service's main.ts is one call of this: the same start-up, readiness, management port and
 * graceful shutdown everywhere, and one definition that standalone runs in its own processes too.
 */
export function defineService<C extends ServiceBaseConfig>(definition: ServiceDefinition<C>): DefinedService<C> {
  return {
    ...definition,
    run: (options) => runService(definition, options),
    start: (options = {}) => startService(definition, options.config ?? definition.loadConfig(), options),
  };
}

async function runService<C extends ServiceBaseConfig>(definition: ServiceDefinition<C>, options: RunOptions = {}): Promise<void> {
  const config = configOrExit(definition.loadConfig);
  initTracing({ serviceName: definition.name, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const logger = createLogger({ service: definition.name, level: options.logLevel ?? config.LOG_LEVEL, mixin: traceFields });
  const started = await startService(definition, config, { ...options, logger });
  options.onListening?.({ port: started.port, managementPort: started.managementPort });
  shutdownOnSignals(logger, async () => {
    options.onStopping?.();
    await started.stop();
    await shutdownTracing();
    options.onStopped?.();
  });
}

async function startService<C extends ServiceBaseConfig>(definition: ServiceDefinition<C>, config: C, options: StartOptions<C>): Promise<StartedService> {
  const { name } = definition;
  const logger = options.logger ?? createLogger({ service: name, level: options.logLevel ?? config.LOG_LEVEL, mixin: traceFields });
  const { kit, redisClients, close } = await createKit(definition, { logger, metrics: createMetrics(name) }, options);
  const service = await definition.build(config, kit);
  await service.start();
  const listeners = await listenBoth(service.app, options.listen ?? { port: config.PORT, managementPort: config.MANAGEMENT_PORT, host: config.HOST });
  logger.info({ port: listeners.public.port, managementPort: listeners.management.port }, `${name} listening`);
  return {
    port: listeners.public.port,
    managementPort: listeners.management.port,
    redisClients,
    async stop() {
      await listeners.close();
      await service.stop();
      await close();
    },
  };
}

/**
 * The client factories load their libraries on first use, so a service without Postgres (queue,
 * gateway) does not pay for loading knex at start-up.
 */
async function createKit<C extends ServiceBaseConfig>(definition: ServiceDefinition<C>, base: { logger: Logger; metrics: ServiceMetrics }, options: StartOptions<C>): Promise<{ kit: ServiceKit; redisClients: RedisClient[]; close: () => Promise<void> }> {
  const [{ createBus }, { createRedis }] = await Promise.all([import('@ticketping/bus'), import('@ticketping/redis')]);
  const buses: Array<() => unknown> = [];
  const others: Array<() => unknown> = [];
  const redisClients: RedisClient[] = [];
  const kit: ServiceKit = {
    ...base,
    async db({ url, poolMax }) {
      if (!definition.database) throw new Error(`${definition.name} declares no database`);
      const { createDb } = await import('@ticketping/db');
      const knex = createDb({ url, schema: definition.database.schema, ...(poolMax ? { poolMax } : {}) });
      others.push(() => knex.destroy());
      if (options.migrate) await definition.database.migrate(knex);
      return knex;
    },
    redis({ url, clusterNodes }) {
      const client = createRedis({ url, ...(clusterNodes ? { clusterNodes } : {}) });
      others.push(() => client.disconnect());
      redisClients.push(client);
      return client;
    },
    bus({ brokers, clientId, topicPrefix }) {
      const bus = options.busRedisUrl
        // The consumer name is the service's, the same after a restart.
        ? createBus({ redisUrl: options.busRedisUrl, clientId: definition.name, logger: base.logger, metrics: base.metrics.registry })
        : createBus({ brokers, clientId, ...(topicPrefix ? { topicPrefix } : {}), logger: base.logger, metrics: base.metrics.registry });
      buses.push(() => bus.close());
      return bus;
    },
  };
  return {
    kit,
    redisClients,
    close: async () => {
      for (const close of [...buses, ...others]) await close();
    },
  };
}
