import type { Server } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from '@ticketping/logger';
import type { ServiceMetrics } from '@ticketping/metrics';
import { traceRequests } from '@ticketping/telemetry';
import { NotFoundError } from './errors.ts';
import { internalError, sendProblem, toAppError } from './problem.ts';
import { trackRequests } from './request-log.ts';

/** A dependency the service needs to serve traffic; `/readyz` fails while any check fails. */
export type ReadinessCheck = () => Promise<unknown>;

export interface HttpAppOptions {
  logger: Logger;
  metrics: ServiceMetrics;
  /** Mounts the service's routes. */
  routes: (router: Router) => void;
  readiness?: Record<string, ReadinessCheck>;
  /** Largest JSON body accepted (default 100kb); larger gets 413 problem+json. */
  bodyLimit?: string;
  /**
   * Steps every request passes after the request id and before any route (the gateway's security
   * headers and CORS; last, the fast path's `leanRoutes`). A step may answer by itself and not
   * call `next`.
   */
  everyRequest?: RequestStep[];
  /** express's `trust proxy`: whose X-Forwarded-* to believe (default: loopback and private addresses). */
  trustProxy?: string | number | boolean;
  /** Skips JSON body parsing (a proxy streams bodies instead). */
  parseJson?: boolean;
  /**
   * Whether a request without a `traceparent` starts a new trace (default true). A request that
   * carries one always continues it. The edge turns this off unless spans are exported: a root
   * span per request that leaves no trace anywhere is a measurable cost and a trace id nobody can
   * look up (the request id already ties log lines together).
   */
  startTraces?: boolean;
  /**
   * Serve `/readyz` and `/metrics` on this app too (default false: only on `app.management`).
   * For a process with no public routes, such as the operator, whose one port is operational.
   */
  operationalRoutesOnMainPort?: boolean;
}

export type RequestStep = (req: Request, res: Response, next: NextFunction) => void;

export interface HttpApp extends Express {
  /** Marks the app as shutting down: `/readyz` answers 503 so load balancers stop sending traffic. */
  drain(): void;
  /**
   * The management listener's app: `/healthz`, `/readyz` and `/metrics`, for the kubelet and
   * Prometheus on MANAGEMENT_PORT, never behind the Ingress. Business figures and a dependency
   * ping per call are not for the public: the main app answers 404 for these paths.
   */
  management: Express;
}

/**
 * The express 5 app every service starts from: request ids (accepted from and echoed in
 * `x-request-id`), structured request logs, tracing, the request histogram, JSON bodies with a
 * size limit, `/healthz`, problem+json for every error and for unknown routes; and beside it
 * `app.management` with `/healthz`, `/readyz` and `/metrics` for the management port.
 */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const { logger, metrics } = options;
  const app = express() as HttpApp;
  let draining = false;
  app.drain = () => { draining = true; };
  app.disable('x-powered-by');
  // A SHA-1 of every body costs more than a status poll itself; routes that want ETags set them.
  app.set('etag', false);
  app.set('trust proxy', options.trustProxy ?? 'loopback, linklocal, uniquelocal');
  app.set('query parser', 'simple');

  const traced = traceRequests();
  const steps: RequestStep[] = [
    (options.startTraces ?? true) ? traced : (req, res, next) => {
      if (req.headers.traceparent === undefined) next();
      else traced(req, res, next);
    },
    trackRequests({ logger, metrics, draining: () => draining }),
    ...options.everyRequest ?? [],
  ];
  for (const step of steps) app.use(step);

  // Static and free, on both listeners: container images and scripts check that a process is up.
  const healthz = (_req: Request, res: Response) => { res.json({ status: 'ok' }); };
  const readyz = async (_req: Request, res: Response) => {
    const checks = Object.entries(options.readiness ?? {});
    const results = await Promise.all(checks.map(async ([name, check]) => {
      try {
        await withTimeout(check(), 2000);
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, (error as Error).message || 'failed'] as const;
      }
    }));
    const failing = results.filter(([, r]) => r !== 'ok');
    const ready = !draining && failing.length === 0;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : draining ? 'draining' : 'not ready', checks: Object.fromEntries(results) });
  };
  const metricsText = async (_req: Request, res: Response) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
  app.management = createManagementApp({ healthz, readyz, metrics: metricsText });
  app.get('/healthz', healthz);
  if (options.operationalRoutesOnMainPort) {
    app.get('/readyz', readyz);
    app.get('/metrics', metricsText);
  } else {
    // Before any route, so a catch-all (the gateway's pages) cannot answer them either.
    app.all(['/readyz', '/metrics'], (req: Request) => {
      throw new NotFoundError('ROUTE_NOT_FOUND', `No route for ${req.method} ${req.path} (it is on the management port)`);
    });
  }

  if (options.parseJson ?? true) app.use(express.json({ limit: options.bodyLimit ?? '100kb', type: ['application/json', 'application/*+json'] }));
  const router = express.Router();
  options.routes(router);
  app.use(router);

  app.use((req: Request) => {
    throw new NotFoundError('ROUTE_NOT_FOUND', `No route for ${req.method} ${req.path}`);
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = toAppError(error);
    if (!known) req.log.error({ err: error }, 'unexpected error');
    if (res.headersSent) return void res.end();
    sendProblem(res, known ?? internalError(), req);
  });
  return app;
}

type Handler = (req: Request, res: Response) => unknown;

/** A bare app for the management port: three routes and a problem+json 404, nothing per request. */
function createManagementApp(routes: { healthz: Handler; readyz: Handler; metrics: Handler }): Express {
  const management = express();
  management.disable('x-powered-by');
  management.set('etag', false);
  management.get('/healthz', routes.healthz);
  management.get('/readyz', routes.readyz);
  management.get('/metrics', routes.metrics);
  management.use((req: Request, res: Response) => {
    res.status(404).type('application/problem+json').send(JSON.stringify({
      type: 'about:blank', title: 'Not found', status: 404, code: 'ROUTE_NOT_FOUND', detail: `No route for ${req.method} ${req.path} on the management port`,
    }));
  });
  management.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return void res.end();
    res.status(500).type('application/problem+json').send(JSON.stringify({ type: 'about:blank', title: 'Internal server error', status: 500, code: 'INTERNAL', detail: (error as Error).message }));
  });
  return management;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms); });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface RunningServer {
  server: Server;
  port: number;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes the rest. */
  close(graceMs?: number): Promise<void>;
}

/** Listens on `host:port` (port 0 picks a free one). Keep-alive outlives typical proxies' idle timeouts. */
export async function listen(app: Express | HttpApp, port: number, host = '127.0.0.1'): Promise<RunningServer> {
  const server = app.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    port: boundPort,
    close: async (graceMs = 10_000) => {
      if ('drain' in app) app.drain();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections turn idle as their last response ends; close each as it does.
      const reaper = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearInterval(reaper);
      clearTimeout(timer);
    },
  };
}

export interface Listeners {
  public: RunningServer;
  management: RunningServer;
  /** Drains the public port (readyz turns 503 first), then closes the management port. */
  close(): Promise<void>;
}

/** Listens on the public port and on the management port (`/healthz`, `/readyz`, `/metrics`). */
export async function listenBoth(app: HttpApp, { port, managementPort, host }: { port: number; managementPort: number; host: string }): Promise<Listeners> {
  const publicServer = await listen(app, port, host);
  const management = await listen(app.management, managementPort, host);
  return {
    public: publicServer,
    management,
    async close() {
      await publicServer.close();
      await management.close(1000);
    },
  };
}

/**
 * Graceful shutdown on SIGTERM/SIGINT: runs `stop` once (stop accepting, drain, close clients),
 * then lets the event loop end with exit code 0 (1 if `stop` failed). A second signal, or a handle
 * still open 10 s after `stop`, ends the process at once by the signal's default action.
 */
export function shutdownOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  // Our listeners are `once`: re-raising a signal now takes the default action, ending the process.
  const endNow = (signal: NodeJS.Signals) => process.kill(process.pid, signal);
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return endNow(signal);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const finish = (code: number) => {
      process.exitCode = code;
      setTimeout(() => {
        logger.warn('still running 10 s after stopping: something was left open; ending now');
        endNow('SIGTERM');
      }, 10_000).unref();
    };
    stop().then(
      () => { logger.info('stopped'); finish(0); },
      (error: unknown) => { logger.error({ err: error }, 'shutdown failed'); finish(1); },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
