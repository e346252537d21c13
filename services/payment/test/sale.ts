import { randomUUID } from 'node:crypto';
import * as assert from 'uvu/assert';
import type { TokenSigner } from '@ticketping/auth-tokens';
import type { Bus, BusEvent } from '@ticketping/bus';
import type { Knex } from '@ticketping/db';
import { eventually } from '@ticketping/testing';
import { INTERNAL_TOKEN } from './harness.ts';

export interface Sale { performanceId: string; scheduleId: string; seatIds: string[] }

/**
 * A performance on sale as catalog announces it (performance.published, then its seats) on the
 * suites' bus; resolves once booking holds its copy of every seat.
 */
export async function publishPerformance(catalogBus: Bus, bookingDb: Knex, seats: number, queue = { capacity: 100, admitPerMinute: 600 }): Promise<Sale> {
  const performanceId = randomUUID();
  const scheduleId = randomUUID();
  const seatIds = Array.from({ length: seats }, () => randomUUID());
  const event = (type: string, payload: unknown): BusEvent => ({ id: randomUUID(), type, key: performanceId, payload, occurredAt: new Date().toISOString() });
  await catalogBus.publish('catalog.performances', [
    event('performance.published', {
      performanceId, title: 'Les Misérables', maxSeatsPerOrder: 4, totalSeats: seats, queue,
      bookingOpensAt: new Date(Date.now() - 60_000).toISOString(), bookingClosesAt: new Date(Date.now() + 3600_000).toISOString(),
      schedules: [{ scheduleId, startsAt: new Date(Date.now() + 86_400_000).toISOString() }],
    }),
    event('seats.published', { performanceId, scheduleId, seats: seatIds.map((seatId, i) => ({ seatId, section: 'B', row: 1, number: i + 1, grade: 'S', price: 88_000, currency: 'KRW' })) }),
  ]);
  await eventually(async () => (await bookingDb('seats').where('schedule_id', scheduleId)).length === seats, 30_000);
  return { performanceId, scheduleId, seatIds };
}

/** An order placed by an admitted fan: the queue token is signed as the waiting room would. */
export async function placeOrder(bookingUrl: string, signer: TokenSigner, fan: string, sale: { performanceId: string; scheduleId: string }, seatIds: string[]) {
  const { token } = await signer.sign({ subject: fan, audience: sale.performanceId, expiresInSeconds: 600 });
  const res = await fetch(`${bookingUrl}/api/v1/orders`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': fan, 'x-queue-token': token },
    body: JSON.stringify({ scheduleId: sale.scheduleId, seatIds }),
  });
  assert.is(res.status, 201);
  return (await res.json()) as { id: string; amount: number; expiresAt: string };
}
