import { isErrorCode, ERROR_STATUS } from '@ticketping/contracts/errors';
import { Problem, ROUTES, type Route, type RouteId } from '@ticketping/contracts/http';

/**
 * Fails unless `body` is what the contract (packages/contracts, the source of docs/openapi.yaml)
 * says route `route` answers with `status`: a documented status, a body of the documented shape,
 * and for errors a problem whose code is in the closed list with that status. Run it on real
 * answers so a service that drifts from the document fails a test.
 */
export function expectContract(route: RouteId, status: number, body: unknown): void {
  const spec: Route = ROUTES[route];
  const where = `${route} (${spec.method.toUpperCase()} ${spec.path}) answered ${status}`;
  const answer = spec.responses[status];
  if (!answer) throw new Error(`${where}, which the contract does not list (it lists ${Object.keys(spec.responses).join(', ')})`);
  const schema = answer.shared ? Problem : answer.body;
  // A body that is not JSON (an image, a calendar file): the status is all a JSON check can say.
  if (!schema && answer.media) return;
  if (!schema) {
    if (body !== undefined && body !== '' && body !== null) throw new Error(`${where} with a body, but the contract has none: ${JSON.stringify(body)}`);
    return;
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
    throw new Error(`${where} with a body the contract does not allow: ${issues}\n${JSON.stringify(body).slice(0, 2000)}`);
  }
  if (answer.shared) {
    const { code } = body as { code: string };
    if (!isErrorCode(code)) throw new Error(`${where} with code ${code}, which is not in packages/contracts errors.ts`);
    const said = (body as { status: number | string }).status;
    // ORDER_NOT_* put the order's state in `status` (documented in the contract's Problem)
    if (typeof said === 'number' && said !== status) throw new Error(`${where} but the problem says status ${said}`);
    if (ERROR_STATUS[code] !== status && code !== 'BAD_REQUEST') throw new Error(`${where} with code ${code}, which the contract answers with ${ERROR_STATUS[code]}`);
  }
}

const TEMPLATES = (Object.entries(ROUTES) as [RouteId, Route][]).map(([id, route]) => ({
  id,
  method: route.method,
  pattern: new RegExp(`^${route.path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

/** The public route a request reaches, or undefined for one outside the contract (internal, health). */
export function routeOf(method: string, url: string): RouteId | undefined {
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0]!;
  return TEMPLATES.find((t) => t.method === method.toLowerCase() && t.pattern.test(path))?.id;
}

/** `expectContract` for a helper that calls many routes: routes outside the contract are not checked. */
export function expectContractAt(method: string, url: string, status: number, body: unknown): void {
  const route = routeOf(method, url);
  if (route) expectContract(route, status, body);
}
