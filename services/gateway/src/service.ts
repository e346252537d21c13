import { existsSync, readFileSync } from 'node:fs';
import express, { type Request, type Response } from 'express';
import { BadGatewayError, IDENTITY_HEADERS, NotFoundError, createHttpApp, type HttpApp, type LeanRoute } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';
import { client, type ServiceMetrics } from '@ticketping/metrics';
import { defineScripts, type RedisClient } from '@ticketping/redis';
import { injectTraceHeaders } from '@ticketping/telemetry';
import { requireAdmission } from './admission/require-admission.ts';
import { createScheduleDirectory } from './admission/schedule-directory.ts';
import type { GatewayConfig } from './config.ts';
import { createGate } from './gate.ts';
import { cacheVerified, createJwksVerifier } from './identity/jwks-verifier.ts';
import { upstreamHeaders } from './proxy/headers.ts';
import { createStatusPolls } from './proxy/status-polls.ts';
import { createUpstreams } from './proxy/upstreams.ts';
import { createCaps } from './rate-limit/caps.ts';
import { createRateLimiter } from './rate-limit/rate-limiter.ts';
import { scripts } from './redis/lua/index.generated.ts';
import { PREFIXES, ROUTES, type GatewayRoute, type Upstream } from './route-table.ts';
import { cors } from './web/cors.ts';
import { mountPages } from './web/pages.ts';
import { mountRum } from './web/rum.ts';
import { securityHeaders } from './web/security-headers.ts';
import type { ServiceKit } from '@ticketping/runtime';

/**
 * helmet's defaults, plus WebAssembly for the door scanner's QR decoder (ZXing in wasm, served from
 * our own origin): 'wasm-unsafe-eval' allows compiling wasm and nothing else (no eval of strings).
 */
const WEB_SECURITY = { contentSecurityPolicy: { directives: { scriptSrc: ["'self'", "'wasm-unsafe-eval'"] } } };

export interface GatewayDeps {
  config: GatewayConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Shared rate-limit counters (optional in effect: readiness never depends on it). */
  redis: RedisClient;
}

export interface GatewayService {
  app: HttpApp;
  start(): Promise<void>;
  /** Closes the connection pools to the services. */
  stop(): Promise<void>;
}

export function createService({ config, logger, metrics, redis }: GatewayDeps): GatewayService {
  defineScripts(redis, scripts);
  const internal = { [IDENTITY_HEADERS.internalToken]: config.INTERNAL_TOKEN };
  const upstreams = createUpstreams({
    urls: { auth: config.AUTH_URL, catalog: config.CATALOG_URL, queue: config.QUEUE_URL, booking: config.BOOKING_URL, payment: config.PAYMENT_URL, tickets: config.TICKETS_URL },
    connections: config.UPSTREAM_CONNECTIONS,
    connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
  });

  const accessTokens = createJwksVerifier({
    issuer: config.AUTH_ISSUER,
    jwks: config.AUTH_JWKS ?? new URL(config.AUTH_JWKS_URL ?? `${config.AUTH_URL}/.well-known/jwks.json`),
    fetchHeaders: internal,
  });
  const verifyAccessToken = cacheVerified((token) => accessTokens.verify(token, { audience: config.ACCESS_TOKEN_AUDIENCE }));
  const queueTokens = createJwksVerifier({
    issuer: config.QUEUE_TOKEN_ISSUER,
    jwks: config.QUEUE_JWKS ?? new URL(config.QUEUE_JWKS_URL ?? `${config.QUEUE_URL}/.well-known/jwks.json`),
    fetchHeaders: internal,
  });
  const schedules = createScheduleDirectory(async (scheduleId) => {
    const { status, body } = await upstreams.requestJson('catalog', { method: 'GET', path: `/api/v1/schedules/${encodeURIComponent(scheduleId)}`, headers: internal });
    if (status === 404 || status === 400) return undefined;
    const performanceId = (body as { performanceId?: unknown } | undefined)?.performanceId;
    if (status !== 200 || typeof performanceId !== 'string') throw new BadGatewayError('UPSTREAM_FAILED', 'The catalog service failed to answer');
    return performanceId;
  });

  const rateLimited = new client.Counter({ name: 'ticketping_gateway_rate_limited_total', help: 'Requests refused with 429', labelNames: ['class', 'scope'] as const, registers: [metrics.registry] });
  const limiterErrors = new client.Counter({ name: 'ticketping_gateway_rate_limiter_errors_total', help: 'Rate-limit reports Redis did not answer in time (the replica went on with its own count)', registers: [metrics.registry] });
  const limiter = createRateLimiter(redis, {
    keyPrefix: config.REDIS_KEY_PREFIX,
    windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    limits: {
      api: { user: config.RATE_LIMIT_PER_USER, ip: config.RATE_LIMIT_PER_IP },
      poll: { user: config.RATE_LIMIT_POLL_PER_USER, ip: config.RATE_LIMIT_POLL_PER_IP },
    },
    redisTimeoutMs: config.RATE_LIMIT_REDIS_TIMEOUT_MS,
    logger,
    onLimited: (rateClass, scope) => rateLimited.inc({ class: rateClass, scope }),
    onError: () => limiterErrors.inc(),
  });
  const gate = createGate(verifyAccessToken, limiter);
  const capped = new client.Counter({ name: 'ticketping_gateway_capped_total', help: 'Entries and sign-ups refused with 429 by the per-address and per-range caps', labelNames: ['class', 'scope'] as const, registers: [metrics.registry] });
  const caps = createCaps(redis, {
    keyPrefix: config.REDIS_KEY_PREFIX,
    windowSeconds: config.CAP_WINDOW_SECONDS,
    limits: {
      entry: { ip: config.CAP_ENTRIES_PER_IP, range: config.CAP_ENTRIES_PER_RANGE },
      signup: { ip: config.CAP_SIGNUPS_PER_IP, range: config.CAP_SIGNUPS_PER_RANGE },
    },
    redisTimeoutMs: config.RATE_LIMIT_REDIS_TIMEOUT_MS,
    logger,
    onLimited: (capClass, scope) => capped.inc({ class: capClass, scope }),
    onError: () => limiterErrors.inc(),
  });
  const admission = requireAdmission(queueTokens, schedules);
  // Bodies are buffered (they are small, and booking writes need theirs read) within the limit.
  const rawBody = express.raw({ type: () => true, limit: config.BODY_LIMIT_BYTES });
  // The service's span is a child of the gateway's (which continues the client's trace, if any).
  const proxyTo = (upstream: Upstream) => (req: Request, res: Response): Promise<void> => upstreams.forward(upstream, req, res, injectTraceHeaders(upstreamHeaders(req.headers, {
    caller: req.caller,
    internalToken: config.INTERNAL_TOKEN,
    requestId: String(req.id),
    clientIp: req.clientIp ?? req.ip ?? '',
    protocol: req.protocol,
  }) as Record<string, string>), Buffer.isBuffer(req.body) ? req.body : undefined);
  const statusPolls = createStatusPolls(upstreams, internal, logger);
  const answerStatusPoll = async (req: Request, res: Response): Promise<void> => {
    const { headers, body } = await statusPolls.status(String(req.params.performanceId), req.caller!.id);
    for (const name in headers) res.setHeader(name, headers[name]!);
    res.json(body);
  };
  const answer = (route: GatewayRoute) => (route.statusPoll ? answerStatusPoll : proxyTo(route.upstream));
  const openapi = existsSync(config.OPENAPI_PATH) ? readFileSync(config.OPENAPI_PATH, 'utf8') : undefined;

  const app = createHttpApp({
    logger,
    metrics,
    parseJson: false,
    startTraces: config.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined,
    // No Redis check: the rate limiter goes on with each replica's own count when Redis is down
    // (see rate-limiter.ts), so a Redis outage degrades the limits, never empties the Service. The
    // waiting room answers its own 503 (QUEUE_UNAVAILABLE, Retry-After) for the polls it cannot serve.
    readiness: {},
    trustProxy: config.TRUST_PROXY,
    everyRequest: [securityHeaders(WEB_SECURITY), cors(config.WEB_ORIGIN)], // CORS is cheap when there is no Origin header
    // Status polls are most of the traffic in a sale: they skip the router and body parsing
    // (they have no body), keeping the gate, the way to the queue (a fan's own poll goes in a batch)
    // and everything createHttpApp does per request.
    leanRoutes: ROUTES.filter((route) => route.rateClass === 'poll').map((route) => ({
      method: leanMethod(route.method),
      path: route.path,
      handle: async (req, res) => {
        await gate.pass(req, route.access, 'poll');
        await answer(route)(req, res);
      },
    })),
    routes: (router) => {
      router.get('/api/v1/openapi.yaml', (_req, res) => {
        if (!openapi) throw new NotFoundError('NOT_FOUND', 'The API description is not installed');
        res.type('application/yaml').send(openapi);
      });
      mountRum(router, metrics, config.RUM_BODY_LIMIT_BYTES, [gate.step('public', 'api')]);
      for (const route of ROUTES) {
        const steps = [gate.step(route.access, route.rateClass ?? 'api'), ...(route.cap ? [caps.step(route.cap)] : []), rawBody, ...(route.admission ? [admission] : []), answer(route)];
        const at = router.route(route.path);
        if (route.method === 'GET') at.get(...steps);
        else if (route.method === 'POST') at.post(...steps);
        else if (route.method === 'PATCH') at.patch(...steps);
        else if (route.method === 'PUT') at.put(...steps);
        else if (route.method === 'DELETE') at.delete(...steps);
        else at.all(...steps);
      }
      for (const { prefix, upstream } of PREFIXES) router.all(`${prefix}{/*rest}`, gate.step('user', 'api'), rawBody, proxyTo(upstream));
      mountPages(router, config.WEB_DIST);
    },
  });

  return {
    app,
    async start() {},
    async stop() {
      limiter.close();
      caps.close();
      await upstreams.close();
    },
  };
}

function leanMethod(method: GatewayRoute['method']): LeanRoute['method'] {
  if (method !== 'GET') throw new Error(`Poll routes are bodyless GETs, not ${method}`);
  return method;
}

/** The service as main.ts and standalone run it: its clients from the kit. */
export function build(config: GatewayConfig, kit: ServiceKit): GatewayService {
  const redis = kit.redis({ url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES });
  return createService({ config, logger: kit.logger, metrics: kit.metrics, redis });
}
