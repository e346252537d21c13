import { z } from 'zod';

/** Thrown at start-up when the environment does not satisfy a service's schema; names every bad key. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Parses `env` against a zod object schema whose keys are environment variable names.
 * Collects every issue instead of stopping at the first, so one restart fixes them all.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined> = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.join('.') || '(root)';
    const received = issue.path.length ? env[String(issue.path[0])] : undefined;
    return received === undefined ? `${key}: ${issue.message} (missing)` : `${key}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

/**
 * A service's configuration for its main.ts: when the environment does not satisfy the schema,
 * prints every problem as a list and ends the process with exit code 1 (nothing has started yet;
 * a stack trace would only bury the list the operator needs).
 */
export function configOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

/** Common field types for environment schemas. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  int: (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback),
  /** "true"/"1"/"yes" are true; anything else given is false. */
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  url: () => z.string().url(),
  list: () => z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

export { z };

/** The settings every service reads (docs/services.md), spread into its schema. */
export function serviceSettings(defaultPort: number) {
  return {
    PORT: env.port(defaultPort),
    /**
     * The management listener (`/healthz`, `/readyz`, `/metrics`) for the kubelet and Prometheus,
     * on HOST too; never exposed through the Ingress. The public PORT answers 404 for them.
     */
    MANAGEMENT_PORT: env.port(defaultPort + 1000),
    HOST: z.string().default('127.0.0.1'),
    LOG_LEVEL: env.logLevel(),
    /** The credential the gateway presents; no default, so a forgotten setting fails at start. */
    INTERNAL_TOKEN: z.string().min(16, 'the shared gateway credential must be at least 16 characters'),
    OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  };
}

/** Kafka settings of a service on the bus; no brokers means the in-memory bus (one process). */
export function kafkaSettings(clientId: string) {
  return {
    KAFKA_BROKERS: env.list().optional(),
    KAFKA_CLIENT_ID: z.string().default(clientId),
    /** Prepended to every topic and consumer group (several environments on one Kafka cluster). */
    KAFKA_TOPIC_PREFIX: z.string().default(''),
  };
}
