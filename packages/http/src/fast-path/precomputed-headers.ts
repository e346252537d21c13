import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * A header-setting middleware whose headers never depend on the request (helmet with fixed
 * options), run once at start against a recorder; the step it returns sets the recorded headers.
 * Building helmet's Content-Security-Policy string on every request is a measurable part of a
 * status poll. Throws at start if the middleware did anything but set or remove headers and call
 * `next` at once, since its answer could then depend on the request.
 */
export function precomputedHeaders(middleware: RequestHandler): RequestHandler {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) { headers.set(name.toLowerCase(), String(value)); },
    removeHeader(name: string) { headers.delete(name.toLowerCase()); },
  };
  let passed = false;
  void middleware({} as Request, recorder as unknown as Response, () => { passed = true; });
  if (!passed) throw new Error('the middleware did not call next synchronously: its headers cannot be computed once');
  const fixed = [...headers];
  return (_req: Request, res: Response, next: NextFunction) => {
    for (const [name, value] of fixed) res.setHeader(name, value);
    next();
  };
}
