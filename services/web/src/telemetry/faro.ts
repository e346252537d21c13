// Real-user telemetry with Grafana Faro's core: errors, web vitals, page events and a session id,
// batched to a collector (default: the gateway's POST /api/v1/rum, which counts them in metrics).

import { defaultUnpatchedConsole, initializeFaro, InternalLoggerLevel, type Faro } from '@grafana/faro-core';
import { FetchTransport } from './fetch-transport.ts';
import { ErrorsInstrumentation, parseStacktrace, WebVitalsInstrumentation } from './instrumentations.ts';

const SESSION_KEY = 'ticketping.rumSession';

/** One id per browser tab session, kept across reloads, so a fan's visit reads as one session. */
function sessionId(): string {
  const existing = sessionStorage.getItem(SESSION_KEY);
  if (existing) return existing;
  const id = [...crypto.getRandomValues(new Uint8Array(10))].map((b) => b.toString(36).padStart(2, '0')).join('').slice(0, 16);
  sessionStorage.setItem(SESSION_KEY, id);
  return id;
}

export interface Telemetry {
  pageView(routeName: string, url: string): void;
  event(name: string, attributes?: Record<string, string>): void;
  error(error: unknown, context?: Record<string, string>): void;
}

export function startTelemetry(collectorUrl: string, release: string): Telemetry {
  let faro: Faro | undefined;
  try {
    faro = initializeFaro({
      app: { name: 'ticketping-web', version: release, environment: import.meta.env.MODE },
      batching: { enabled: true, sendTimeout: 5_000, itemLimit: 50 },
      dedupe: true,
      globalObjectKey: 'faro',
      instrumentations: [new ErrorsInstrumentation(), new WebVitalsInstrumentation()],
      internalLoggerLevel: InternalLoggerLevel.OFF,
      isolate: false,
      metas: [() => ({ page: { url: location.href } })],
      parseStacktrace,
      paused: false,
      preventGlobalExposure: true,
      sessionTracking: { session: { id: sessionId() } },
      transports: [new FetchTransport(collectorUrl)],
      unpatchedConsole: defaultUnpatchedConsole,
    });
  } catch {
    faro = undefined; // telemetry is best effort: the pages work without it
  }
  return {
    pageView(routeName, url) {
      faro?.api.setPage({ id: routeName, url });
      faro?.api.pushEvent('page_view', { route: routeName });
    },
    event(name, attributes) {
      faro?.api.pushEvent(name, attributes);
    },
    error(error, context) {
      faro?.api.pushError(error instanceof Error ? error : new Error(String(error)), context ? { context } : {});
    },
  };
}
