import type { Request, Response } from 'express';
import { BadRequestError } from './errors.ts';

/**
 * A hot route served without express's router and body parser: a bodyless request (a status poll)
 * whose handler only needs what every request gets first (request id, logger, metrics, tracing, the
 * app's `everyRequest` steps, problem+json errors) and express's request and response methods.
 * Matched like an express route (case-insensitive, an optional trailing slash), its template labels
 * the metrics and its `:name` segments fill `req.params`.
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

/** Finds the lean route a request is for, by method and the path of its raw URL. */
export function leanRouter(routes: LeanRoute[]) {
  const compiled = routes.map(compile);
  return (method: string | undefined, url: string): ((req: Request, res: Response) => Promise<void>) | undefined => {
    if (compiled.length === 0) return undefined;
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    for (const { route, pattern, names } of compiled) {
      if (method !== route.method) continue;
      const match = pattern.exec(path);
      if (!match) continue;
      return (req, res) => {
        req.route = { path: route.path };
        req.params = {};
        names.forEach((name, i) => { req.params[name] = decode(match[i + 1]!); });
        return route.handle(req, res);
      };
    }
    return undefined;
  };
}
