/**
 * What must hold after an on-sale, whatever crashed during it, read straight from the services'
 * own databases and Redis (not through the API, which could hide a fault behind a retry).
 */
import type { Knex } from '@ticketping/db';
import { Kafka, logLevel } from 'kafkajs';
import { queueKeys, type RedisClient } from '@ticketping/redis';

export interface MoneyReport {
  payments: Record<string, number>;
  orders: Record<string, number>;
  /** Money taken (payment SUCCEEDED) for an order that is not CONFIRMED, not (yet) refunded. */
  paidNotConfirmed: string[];
  /** A CONFIRMED order without a SUCCEEDED payment behind it. */
  confirmedUnpaid: string[];
  /** Money given back (payment REFUNDED) while the order still holds its seats as CONFIRMED. */
  refundedButConfirmed: string[];
  /** Payments still PENDING: neither charged nor failed. */
  pendingPayments: string[];
}

const countBy = (rows: Array<{ status: string }>) => rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});

/** Every paid order is CONFIRMED, or its payment REFUNDED; nothing is left half-way. */
export async function checkMoney(booking: Knex, payment: Knex, performanceId: string): Promise<MoneyReport> {
  const orders = await booking('orders').where({ performance_id: performanceId }).select<Array<{ id: string; status: string }>>('id', 'status');
  const orderStatus = new Map(orders.map((o) => [o.id, o.status]));
  const payments = await payment('payments').whereIn('order_id', [...orderStatus.keys()]).select<Array<{ id: string; order_id: string; status: string }>>('id', 'order_id', 'status');
  const succeeded = new Set(payments.filter((p) => p.status === 'SUCCEEDED').map((p) => p.order_id));
  return {
    payments: countBy(payments),
    orders: countBy(orders),
    paidNotConfirmed: payments.filter((p) => p.status === 'SUCCEEDED' && orderStatus.get(p.order_id) !== 'CONFIRMED').map((p) => `${p.order_id} (order ${orderStatus.get(p.order_id)})`),
    confirmedUnpaid: orders.filter((o) => o.status === 'CONFIRMED' && !succeeded.has(o.id)).map((o) => o.id),
    refundedButConfirmed: payments.filter((p) => p.status === 'REFUNDED' && orderStatus.get(p.order_id) === 'CONFIRMED').map((p) => p.order_id),
    pendingPayments: payments.filter((p) => p.status === 'PENDING').map((p) => p.id),
  };
}

export const moneySettled = (r: MoneyReport) =>
  r.paidNotConfirmed.length + r.confirmedUnpaid.length + r.refundedButConfirmed.length + r.pendingPayments.length === 0;

/** Seats in more than one CONFIRMED order, and seats of live orders whose hold row is missing or someone else's. */
export async function checkSeats(booking: Knex, scheduleId: string): Promise<{ soldTwice: string[]; holdMismatch: string[]; seatsSold: number }> {
  const soldTwice = await booking('order_seats as s').join('orders as o', 'o.id', 's.order_id')
    .where({ 'o.schedule_id': scheduleId, 'o.status': 'CONFIRMED' })
    .groupBy('s.seat_id').havingRaw('count(*) > 1').select<Array<{ seat_id: string }>>('s.seat_id');
  const holdMismatch = await booking('order_seats as s').join('orders as o', 'o.id', 's.order_id')
    .leftJoin('seat_holds as h', 'h.seat_id', 's.seat_id')
    .where({ 'o.schedule_id': scheduleId }).whereIn('o.status', ['PENDING_PAYMENT', 'CONFIRMED'])
    .where((q) => q.whereNull('h.order_id').orWhereRaw('h.order_id <> s.order_id'))
    .select<Array<{ seat_id: string }>>('s.seat_id');
  const [counted] = await booking('order_seats as s').join('orders as o', 'o.id', 's.order_id')
    .where({ 'o.schedule_id': scheduleId, 'o.status': 'CONFIRMED' }).count<Array<{ sold: string }>>({ sold: '*' });
  return { soldTwice: soldTwice.map((r) => r.seat_id), holdMismatch: holdMismatch.map((r) => r.seat_id), seatsSold: Number(counted?.sold ?? 0) };
}

/** Fans with more than one live order (each live order needed its own admission). */
export async function fansWithTwoLiveOrders(booking: Knex, performanceId: string): Promise<string[]> {
  const rows = await booking('orders').where({ performance_id: performanceId }).whereIn('status', ['PENDING_PAYMENT', 'CONFIRMED'])
    .groupBy('user_id').havingRaw('count(*) > 1').select<Array<{ user_id: string }>>('user_id');
  return rows.map((r) => r.user_id);
}

/** The waiting room's active set (read in one MULTI, as the queue's scripts write it): its size, capacity, members without an admission record. */
export async function readActiveSet(redis: RedisClient, performanceId: string): Promise<{ active: number; capacity: number; withoutAdmission: string[] }> {
  const keys = queueKeys(performanceId);
  const replies = await redis.multi().zrange(keys.active, 0, -1).hget(keys.config, 'capacity').hkeys(keys.admissions).exec();
  const [members, capacity, admitted] = (replies ?? []).map(([error, value]) => {
    if (error) throw error;
    return value;
  }) as [string[], string | null, string[]];
  const records = new Set(admitted);
  return { active: members.length, capacity: Number(capacity), withoutAdmission: members.filter((m) => !records.has(m)) };
}

export async function admittedTotal(redis: RedisClient, performanceId: string): Promise<number> {
  return Number(await redis.hget(queueKeys(performanceId).stats, 'admittedTotal')) || 0;
}

export interface EventFlow { events: number; unpublished: number; unhandled: number; p50S: number; p95S: number; maxS: number }

/**
 * How one event type travelled from the producer's outbox to the consumer's inbox: how many are
 * still unpublished or unhandled, and the delay from commit to handling (the fans' wait, e.g. for
 * payment to accept an order).
 */
export async function eventFlow(producer: Knex, consumer: Knex, type: string): Promise<EventFlow> {
  const sent = await producer('outbox').where({ type }).select<Array<{ id: string; created_at: Date; published_at: Date | null }>>('id', 'created_at', 'published_at');
  const handled = new Map((await consumer('inbox').whereIn('event_id', sent.map((e) => e.id)).select<Array<{ event_id: string; handled_at: Date }>>('event_id', 'handled_at'))
    .map((r) => [r.event_id, r.handled_at.getTime()]));
  const delays = sent.filter((e) => handled.has(e.id)).map((e) => (handled.get(e.id)! - e.created_at.getTime()) / 1000).sort((a, b) => a - b);
  const at = (q: number) => Math.round((delays[Math.min(delays.length - 1, Math.floor(q * delays.length))] ?? 0) * 10) / 10;
  return { events: sent.length, unpublished: sent.filter((e) => !e.published_at).length, unhandled: sent.length - delays.length, p50S: at(0.5), p95S: at(0.95), maxS: at(1) };
}

/** Messages sitting in the platform's dead-letter topics (`<topic>.dlq`), by topic: stranded unless someone redrives them. */
export async function deadLetters(brokers: string): Promise<Record<string, number>> {
  const admin = new Kafka({ clientId: 'chaos-invariants', brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.endsWith('.dlq'));
    const counts: Record<string, number> = {};
    for (const topic of topics) {
      const depth = (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
      if (depth > 0) counts[topic] = depth;
    }
    return counts;
  } finally {
    await admin.disconnect();
  }
}

/** Events committed to an outbox and not published, or published and not in the consumer's inbox. */
export async function unhandledEvents(flows: Array<{ producer: Knex; consumer: Knex; type: string }>): Promise<Record<string, { unpublished: number; unhandled: number }>> {
  const out: Record<string, { unpublished: number; unhandled: number }> = {};
  for (const { producer, consumer, type } of flows) {
    const flow = await eventFlow(producer, consumer, type);
    if (flow.unpublished || flow.unhandled) out[type] = { unpublished: flow.unpublished, unhandled: flow.unhandled };
  }
  return out;
}

/** Orders paid more than once: two SUCCEEDED payments (or provider references) for one order. */
export async function doubleCharges(payment: Knex, orderIds: string[]): Promise<string[]> {
  if (orderIds.length === 0) return [];
  const rows = await payment('payments').whereIn('order_id', orderIds).whereIn('status', ['SUCCEEDED', 'REFUNDED'])
    .groupBy('order_id').havingRaw('count(*) > 1').select<Array<{ order_id: string }>>('order_id');
  return rows.map((r) => r.order_id);
}
