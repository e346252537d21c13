import type { Knex } from '@ticketping/db';

/**
 * Payment's copy of booking's orders, kept from booking's events: which order may be paid, by
 * whom, and for how much. The amount a fan pays comes from here, never from the request.
 */
export interface OrderCopy { orderId: string; userId: string; amount: number; currency: string; expiresAt: Date; status: string }

export async function saveOrder(db: Knex | Knex.Transaction, order: OrderCopy): Promise<void> {
  await db('orders')
    .insert({ order_id: order.orderId, user_id: order.userId, amount: order.amount, currency: order.currency, expires_at: order.expiresAt, status: order.status })
    .onConflict('order_id')
    .ignore();
}

export async function setOrderStatus(db: Knex | Knex.Transaction, orderId: string, status: string): Promise<void> {
  await db('orders').where('order_id', orderId).update({ status, updated_at: db.fn.now() });
}

export async function findOrderCopy(db: Knex | Knex.Transaction, orderId: string): Promise<OrderCopy | undefined> {
  const row = await db('orders').where('order_id', orderId).first();
  if (!row) return undefined;
  return { orderId: row.order_id, userId: row.user_id, amount: row.amount, currency: row.currency, expiresAt: row.expires_at, status: row.status };
}
