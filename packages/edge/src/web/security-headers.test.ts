import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { WEB_SECURITY, securityHeaders } from './security-headers.ts';

/** The headers a step leaves on a response (helmet only sets and removes headers, then calls next). */
function headersFrom(step: RequestHandler): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) { headers[name.toLowerCase()] = String(value); },
    removeHeader(name: string) { delete headers[name.toLowerCase()]; },
  };
  let passed = false;
  void step({} as Request, res as unknown as Response, () => { passed = true; });
  assert.ok(passed, 'the step went on to the next');
  return headers;
}

test('the headers worked out once are exactly those helmet sets on each request, with wasm allowed for the scanner', () => {
  const direct = headersFrom(helmet(WEB_SECURITY));
  assert.equal(headersFrom(securityHeaders()), direct);
  assert.match(direct['content-security-policy'] ?? '', /script-src 'self' 'wasm-unsafe-eval'/);
  assert.is(direct['x-content-type-options'], 'nosniff');
});

test.run();
