// What an order is for (title, venue, date): orders carry their performance id, the catalog the rest.
// One fetch per performance per page load, shared by every order that needs it.

import type { Api } from '../api/client.ts';
import type { Order, Performance } from '../api/types.ts';

export interface OrderContext { performanceId: string; title: string; venue: string; startsAt: string | undefined }

const performances = new Map<string, Promise<Performance | undefined>>();

export async function orderContext(api: Api, order: Order): Promise<OrderContext | undefined> {
  if (!order.performanceId) return undefined;
  if (!performances.has(order.performanceId)) performances.set(order.performanceId, api.getPerformance(order.performanceId).catch(() => undefined));
  const performance = await performances.get(order.performanceId);
  if (!performance) return undefined;
  return { performanceId: performance.id, title: performance.title, venue: performance.venue, startsAt: performance.schedules.find((s) => s.id === order.scheduleId)?.startsAt };
}
