import type { NextFunction, Request, Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's headers, worked out once: with fixed options they never depend on the request, and
 * building the Content-Security-Policy string for every request was a measurable part of a
 * status poll's cost through the gateway.
 */
export function securityHeaders(options?: HelmetOptions) {
  const headers: [string, string][] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) { headers.push([name, String(value)]); },
    removeHeader() {},
  };
  let ran = false;
  helmet(options)({} as never, recorder as never, () => { ran = true; });
  if (!ran) throw new Error('helmet did not finish synchronously: its headers cannot be computed once');
  return (_req: Request, res: Response, next: NextFunction) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
