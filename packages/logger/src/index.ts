import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** Paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  'password', '*.password', 'newPassword', '*.newPassword',
  'token', '*.token', 'accessToken', '*.accessToken', 'refreshToken', '*.refreshToken', 'queueToken', '*.queueToken',
  'cardNumber', '*.cardNumber', '*.*.cardNumber', 'secret', '*.secret',
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-queue-token"]', 'req.headers["x-internal-token"]',
  'res.headers["set-cookie"]',
];

export interface LoggerConfig {
  service: string;
  level?: string;
  /** Adds fields to every line (the telemetry package passes the active trace id here). */
  mixin?: () => Record<string, unknown>;
  destination?: pino.DestinationStream;
}

/** JSON to stdout, one line per event, secrets redacted. Children carry request-scoped fields. */
export function createLogger({ service, level = 'info', mixin, destination }: LoggerConfig): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(mixin ? { mixin } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}
