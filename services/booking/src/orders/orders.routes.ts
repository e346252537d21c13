import type { Router } from 'express';
import { z } from 'zod';
import { NewOrder, orderIdParams, pageQuery, RefundRequest } from '@ticketping/contracts/http';
import { caller, requireAdmin, requireInternalCaller, validate, validationFailed } from '@ticketping/http';
import type { Idempotency } from '@ticketping/idempotency';
import type { OrderCursor, Orders } from './orders.service.ts';
import { orderResponse } from './orders.types.ts';


const encodeCursor = (c: OrderCursor) => Buffer.from(JSON.stringify([c.createdAt.toISOString(), c.id])).toString('base64url');
function decodeCursor(cursor: string): OrderCursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    const at = new Date(createdAt);
    if (Number.isNaN(at.getTime()) || !z.uuid().safeParse(id).success) throw new Error('bad cursor');
    return { createdAt: at, id };
  } catch {
    throw validationFailed([{ field: 'query.cursor', message: 'not a cursor this API returned' }]);
  }
}

export function mountOrderRoutes(router: Router, deps: { orders: Orders; idempotency: Idempotency; internalToken: string }): void {
  const { orders, idempotency } = deps;
  router.use('/api/v1/orders', requireInternalCaller(deps.internalToken));

  router.post('/api/v1/orders', idempotency.route(async (req) => {
    const who = caller(req);
    const body = validate.body(NewOrder, req);
    const order = await orders.placeOrder(who, { ...body, queueToken: req.get('x-queue-token') });
    return { status: 201, body: orderResponse(order) };
  }));

  router.get('/api/v1/orders', async (req, res) => {
    const who = caller(req);
    const query = validate.query(pageQuery, req);
    const page = await orders.listOrders(who, query.limit, query.cursor ? decodeCursor(query.cursor) : undefined);
    res.json({ items: page.items.map(orderResponse), nextCursor: page.next ? encodeCursor(page.next) : null });
  });

  router.get('/api/v1/orders/:orderId', async (req, res) => {
    const who = caller(req);
    const { orderId } = validate.params(orderIdParams, req);
    res.json(orderResponse(await orders.getOrder(who, orderId)));
  });

  router.delete('/api/v1/orders/:orderId', idempotency.route(async (req) => {
    const who = caller(req);
    const { orderId } = validate.params(orderIdParams, req);
    return { status: 200, body: orderResponse(await orders.cancelOrder(who, orderId)) };
  }));

  router.post('/api/v1/orders/:orderId/refund', idempotency.route(async (req) => {
    requireAdmin(req);
    const { orderId } = validate.params(orderIdParams, req);
    const { reason } = validate.body(RefundRequest, req);
    return { status: 202, body: orderResponse(await orders.requestRefund(orderId, reason)) };
  }));
}
