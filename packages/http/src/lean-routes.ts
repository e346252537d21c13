import type { NextFunction, Request, Response } from 'express';
import { BadRequestError } from './errors.ts';

/**
 * A hot route served without the router and the body parser: a bodyless request (a status poll)
 * whose handler only needs the request id, logger, metrics, tracing and problem+json errors that
 * every request gets before routing. Matched like an express route (case-insensitive, an optional
 * trailing slash), its template labels the metrics and its `:name` segments fill `req.params`.
 */
export interface LeanRoute {
  method: 'GET' | 'HEAD' | 'DELETE';
  /** Literal segments and `:name` segments only, e.g. `/api/v1/queues/:performanceId/entries/me`. */
  path: string;
  handle: (req: Request, res: Response) => Promise<void>;
}

interface Compiled { route: LeanRoute; pattern: RegExp; names: string[] }

function compile(route: LeanRoute): Compiled {
  const names: string[] = [];
  const source = route.path.split('/').map((segment) => {
    if (!segment.startsWith(':')) {
      if (!/^[\w.-]*$/.test(segment)) throw new Error(`Lean route ${route.path}: only literal and :name segments`);
      return segment.replaceAll('.', '\\.');
    }
    names.push(segment.slice(1));
    return '([^/]+)';
  }).join('/');
  return { route, pattern: new RegExp(`^${source}/?$`, 'i'), names };
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new BadRequestError(`Failed to decode path parameter "${value}"`);
  }
}

/** Middleware: serves a matching lean route (errors go on to the app's problem+json handler), else passes. */
export function leanRoutes(routes: LeanRoute[]) {
  const compiled = routes.map(compile);
  return (req: Request, res: Response, next: NextFunction) => {
    const path = req.path;
    for (const { route, pattern, names } of compiled) {
      if (req.method !== route.method) continue;
      const match = pattern.exec(path);
      if (!match) continue;
      req.route = { path: route.path };
      req.params = {};
      names.forEach((name, i) => { req.params[name] = decode(match[i + 1]!); });
      return route.handle(req, res).catch(next);
    }
    next();
  };
}
