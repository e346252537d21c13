// A second fan who uses the public API directly (no browser), to fill a waiting room or hold a
// seat while the browser fan watches.

import { entryBody, type ProofOfWorkChallenge } from '@ticketping/testing';

interface Entry { status: string; queueToken: string | null }

async function call<T>(baseUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface ApiFan {
  enterQueue(performanceId: string): Promise<Entry>;
  myEntry(performanceId: string): Promise<Entry>;
  seats(scheduleId: string): Promise<{ id: string; status: string; section: string; row: number; number: number }[]>;
  holdSeats(scheduleId: string, seatIds: string[], queueToken: string): Promise<{ id: string; status: string }>;
  performance(performanceId: string): Promise<{ schedules: { id: string }[] }>;
  pay(orderId: string): Promise<{ id: string; status: string }>;
  tickets(): Promise<Array<{ id: string; orderId: string; code: { code: string } | null }>>;
  cancelOrder(orderId: string): Promise<{ id: string; status: string }>;
  joinWaitlist(scheduleId: string, seats: number): Promise<{ status: string; place: number }>;
}

export async function signUpApiFan(baseUrl: string, email: string): Promise<ApiFan> {
  const password = 'a-long-enough-password';
  await call(baseUrl, 'POST', '/users', { email, password, nickname: email.split('@')[0] });
  const { accessToken } = await call<{ accessToken: string }>(baseUrl, 'POST', '/auth/login', { email, password });
  const auth = { authorization: `Bearer ${accessToken}` };
  return {
    // the documented flow: a challenge, solved, sent with the entry
    enterQueue: async (id) => call(baseUrl, 'POST', `/queues/${id}/entries`, entryBody(await call<ProofOfWorkChallenge>(baseUrl, 'POST', `/queues/${id}/challenge`, {}, auth)), auth),
    myEntry: (id) => call(baseUrl, 'GET', `/queues/${id}/entries/me`, undefined, auth),
    seats: async (scheduleId) => (await call<{ items: { id: string; status: string; section: string; row: number; number: number }[] }>(baseUrl, 'GET', `/schedules/${scheduleId}/seats`)).items,
    holdSeats: (scheduleId, seatIds, queueToken) =>
      call(baseUrl, 'POST', '/orders', { scheduleId, seatIds }, { ...auth, 'x-queue-token': queueToken, 'idempotency-key': crypto.randomUUID() }),
    performance: (id) => call(baseUrl, 'GET', `/performances/${id}`),
    pay: (orderId) => call(baseUrl, 'POST', '/payments', { orderId, method: { type: 'card', cardNumber: '4242424242424242' } }, { ...auth, 'idempotency-key': crypto.randomUUID() }),
    cancelOrder: (orderId) => call(baseUrl, 'DELETE', `/orders/${orderId}`, undefined, { ...auth, 'idempotency-key': crypto.randomUUID() }),
    joinWaitlist: (scheduleId, seats) => call(baseUrl, 'POST', `/waitlist/${scheduleId}/entries`, { seats }, auth),
    tickets: async () => (await call<{ items: Array<{ id: string; orderId: string; code: { code: string } | null }> }>(baseUrl, 'GET', '/tickets', undefined, auth)).items,
  };
}
