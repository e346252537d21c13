import type { Request, Response } from 'express';
import { IDENTITY_HEADERS } from '@ticketping/http';
import { sendJson } from '@ticketping/http/fast-path';
import type { Logger } from '@ticketping/logger';
import { injectTraceHeaders } from '@ticketping/telemetry';
import type { GatewayConfig } from '../config.ts';
import type { GatewayRoute, Upstream } from '../route-table.ts';
import { upstreamHeaders } from '@ticketping/edge';
import { createStatusPolls } from './status-polls.ts';
import type { Upstreams } from './upstreams.ts';

export type Answer = (req: Request, res: Response) => Promise<void>;

/** How a route is answered: forwarded to its service, or (a fan's status poll) sent in a batch. */
export function createForwarding({ config, upstreams, logger }: { config: GatewayConfig; upstreams: Upstreams; logger: Logger }) {
  // The service's span is a child of the gateway's (which continues the client's trace, if any).
  const proxyTo = (upstream: Upstream): Answer => (req, res) => upstreams.forward(upstream, req, res, injectTraceHeaders(upstreamHeaders(req.headers, {
    caller: req.caller,
    internalToken: config.INTERNAL_TOKEN,
    requestId: String(req.id),
    clientIp: req.clientIp ?? req.ip ?? '',
    protocol: req.protocol,
  }) as Record<string, string>), Buffer.isBuffer(req.body) ? req.body : undefined);

  const statusPolls = createStatusPolls(upstreams, { [IDENTITY_HEADERS.internalToken]: config.INTERNAL_TOKEN }, logger);
  const answerStatusPoll: Answer = async (req, res) => {
    const { headers, body } = await statusPolls.status(String(req.params.performanceId), req.caller!.id);
    for (const name in headers) res.setHeader(name, headers[name]!);
    sendJson(res, body);
  };

  return {
    proxyTo,
    answer: (route: GatewayRoute): Answer => (route.statusPoll ? answerStatusPoll : proxyTo(route.upstream)),
  };
}

export type Forwarding = ReturnType<typeof createForwarding>;
