// Hash routes: "#/performances/…". Hash routing needs nothing from the server but the one
// index.html, so the gateway serves `dist/` as plain static files and a reload never 404s.

export type Route =
  | { name: 'performances' }
  | { name: 'performance'; performanceId: string }
  | { name: 'queue'; performanceId: string; scheduleId?: string }
  | { name: 'seats'; performanceId: string; scheduleId: string }
  | { name: 'checkout'; orderId: string }
  | { name: 'confirmation'; orderId: string }
  | { name: 'bookings' }
  | { name: 'tickets' }
  | { name: 'waitlist'; performanceId: string; scheduleId?: string }
  | { name: 'scanner'; performanceId?: string; scheduleId?: string; gate?: string }
  | { name: 'login'; next?: string }
  | { name: 'signup'; next?: string }
  | { name: 'verify'; token?: string; next?: string }
  | { name: 'admin' }
  | { name: 'not-found'; path: string };

const segment = '([^/?#]+)';
const patterns: { pattern: RegExp; build: (m: string[], q: URLSearchParams) => Route }[] = [
  { pattern: /^\/?$/, build: () => ({ name: 'performances' }) },
  { pattern: new RegExp(`^/performances/${segment}$`), build: ([id]) => ({ name: 'performance', performanceId: id! }) },
  { pattern: new RegExp(`^/performances/${segment}/queue$`), build: ([id], q) => withOptional({ name: 'queue', performanceId: id! }, 'scheduleId', q.get('schedule')) },
  { pattern: new RegExp(`^/performances/${segment}/schedules/${segment}/seats$`), build: ([p, s]) => ({ name: 'seats', performanceId: p!, scheduleId: s! }) },
  { pattern: new RegExp(`^/orders/${segment}/checkout$`), build: ([id]) => ({ name: 'checkout', orderId: id! }) },
  { pattern: new RegExp(`^/orders/${segment}/confirmation$`), build: ([id]) => ({ name: 'confirmation', orderId: id! }) },
  { pattern: /^\/bookings$/, build: () => ({ name: 'bookings' }) },
  { pattern: /^\/tickets$/, build: () => ({ name: 'tickets' }) },
  { pattern: new RegExp(`^/waitlist/${segment}$`), build: ([id], q) => withOptional({ name: 'waitlist', performanceId: id! }, 'scheduleId', q.get('schedule')) },
  {
    pattern: /^\/scanner$/,
    build: (_m, q) => withOptional(withOptional(withOptional({ name: 'scanner' }, 'performanceId', q.get('performance')), 'scheduleId', q.get('schedule')), 'gate', q.get('gate')),
  },
  { pattern: /^\/login$/, build: (_m, q) => withOptional({ name: 'login' }, 'next', q.get('next')) },
  { pattern: /^\/signup$/, build: (_m, q) => withOptional({ name: 'signup' }, 'next', q.get('next')) },
  { pattern: /^\/verify$/, build: (_m, q) => withOptional(withOptional({ name: 'verify' }, 'token', q.get('token')), 'next', q.get('next')) },
  { pattern: /^\/admin$/, build: () => ({ name: 'admin' }) },
];

function withOptional<R extends Route>(route: R, key: string, value: string | null): R {
  return value ? { ...route, [key]: value } : route;
}

/** "#/performances/42/queue?schedule=7" → the route it names. */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = raw.split('?', 2);
  const params = new URLSearchParams(query);
  for (const { pattern, build } of patterns) {
    const match = pattern.exec(path);
    if (match) return build(match.slice(1).map(decodeURIComponent), params);
  }
  return { name: 'not-found', path };
}

/** The href of a route, for links and navigation. */
export function href(route: Route): string {
  const e = encodeURIComponent;
  const query = (params: Record<string, string | undefined>) => {
    const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString();
    return q ? `?${q}` : '';
  };
  switch (route.name) {
    case 'performances': return '#/';
    case 'performance': return `#/performances/${e(route.performanceId)}`;
    case 'queue': return `#/performances/${e(route.performanceId)}/queue${query({ schedule: route.scheduleId })}`;
    case 'seats': return `#/performances/${e(route.performanceId)}/schedules/${e(route.scheduleId)}/seats`;
    case 'checkout': return `#/orders/${e(route.orderId)}/checkout`;
    case 'confirmation': return `#/orders/${e(route.orderId)}/confirmation`;
    case 'bookings': return '#/bookings';
    case 'tickets': return '#/tickets';
    case 'waitlist': return `#/waitlist/${e(route.performanceId)}${query({ schedule: route.scheduleId })}`;
    case 'scanner': return `#/scanner${query({ performance: route.performanceId, schedule: route.scheduleId, gate: route.gate })}`;
    case 'login': return `#/login${query({ next: route.next })}`;
    case 'signup': return `#/signup${query({ next: route.next })}`;
    case 'verify': return `#/verify${query({ token: route.token, next: route.next })}`;
    case 'admin': return '#/admin';
    case 'not-found': return `#${route.path}`;
  }
}

/** Only our own hash routes are followed after log-in, never an outside URL. */
export function safeNext(next: string | undefined): string {
  return next && next.startsWith('#/') ? next : '#/';
}
