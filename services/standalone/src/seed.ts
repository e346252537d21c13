import type { Logger } from '@ticketping/logger';

const DAY = 24 * 3600_000;

/** The demo performance a newcomer sees: on sale now, with an open waiting room. */
export function demoPerformance(now = Date.now()) {
  return {
    title: 'The Midnight Echoes — Live',
    venue: 'Riverside Arena',
    description: 'A demo performance seeded by standalone mode. Join the waiting room, pick seats, pay with 4242 4242 4242 4242.',
    bookingOpensAt: new Date(now - 60_000).toISOString(),
    bookingClosesAt: new Date(now + 30 * DAY).toISOString(),
    maxSeatsPerOrder: 4,
    schedules: [{ startsAt: new Date(now + 14 * DAY).toISOString() }, { startsAt: new Date(now + 15 * DAY).toISOString() }],
    sections: [
      { name: 'Floor', rows: 10, seatsPerRow: 20, grade: 'VIP', price: 15000, currency: 'USD' },
      { name: 'Balcony', rows: 8, seatsPerRow: 25, grade: 'Standard', price: 7500, currency: 'USD' },
    ],
    queue: { capacity: 50, admitPerMinute: 120 },
  };
}

async function call<T>(url: string, init: RequestInit & { token?: string } = {}): Promise<T> {
  const headers = { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) };
  const res = await fetch(url, { ...init, headers });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Creates the demo performance through the public API as the admin, unless one exists already. */
export async function seedDemo(gatewayUrl: string, admin: { email: string; password: string }, logger: Logger): Promise<void> {
  const existing = await call<{ items: unknown[] }>(`${gatewayUrl}/api/v1/performances?limit=1`);
  if (existing.items.length > 0) return;
  const { accessToken } = await call<{ accessToken: string }>(`${gatewayUrl}/api/v1/auth/login`, {
    method: 'POST', body: JSON.stringify({ email: admin.email, password: admin.password }),
  });
  const created = await call<{ id: string }>(`${gatewayUrl}/api/v1/performances`, { method: 'POST', token: accessToken, body: JSON.stringify(demoPerformance()) });
  logger.info({ performanceId: created.id }, 'demo performance seeded');
}
