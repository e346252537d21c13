import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { BadRequestError } from '../errors.ts';

/**
 * A hot bodyless route (a status poll) answered by one middleware ahead of the body parser and the
 * router, instead of a walk through every routed layer. It still gets what every request gets
 * before it (request id, request log, metrics, tracing, the app's `everyRequest` steps) and
 * express's own request and response; a thrown error goes to the app's problem+json handler.
 * Matched like an express route (case-insensitive, an optional trailing slash); its template
 * labels the metrics and its `:name` segments fill `req.params`.
 */
export interface LeanRoute {
  method: 'GET' | 'HEAD' | 'DELETE';
  /** Literal segments and `:name` segments only, e.g. `/api/v1/queues/:performanceId/entries/me`. */
  path: string;
  handle: (req: Request, res: Response) => Promise<void>;
}

interface Compiled { route: LeanRoute; pattern: RegExp; names: string[] }

/**
 * A route template (literal and `:name` segments) as the pattern express would match it with:
 * case-insensitive, an optional trailing slash; `names` are the captured segments in order.
 */
export function routePattern(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path.split('/').map((segment) => {
    if (!segment.startsWith(':')) {
      if (!/^[\w.-]*$/.test(segment)) throw new Error(`Route ${path}: only literal and :name segments`);
      return segment.replaceAll('.', '\\.');
    }
    names.push(segment.slice(1));
    return '([^/]+)';
  }).join('/');
  return { pattern: new RegExp(`^${source}/?$`, 'i'), names };
}

function compile(route: LeanRoute): Compiled {
  return { route, ...routePattern(route.path) };
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new BadRequestError(`Failed to decode path parameter "${value}"`);
  }
}

/**
 * One express middleware serving `routes`: mount it in the app's `everyRequest` steps, last, so it
 * runs after the others and before anything per route. Requests for other routes pass on untouched.
 */
export function leanRoutes(routes: readonly LeanRoute[]): RequestHandler {
  const compiled = routes.map(compile);
  return (req: Request, res: Response, next: NextFunction) => {
    const url = req.url;
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    for (const { route, pattern, names } of compiled) {
      if (req.method !== route.method) continue;
      const match = pattern.exec(path);
      if (!match) continue;
      req.route = { path: route.path };
      const params: Record<string, string> = {};
      names.forEach((name, i) => { params[name] = decode(match[i + 1]!); });
      req.params = params;
      return route.handle(req, res);
    }
    next();
  };
}
