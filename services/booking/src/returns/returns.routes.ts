import type { Router } from 'express';
import { NewReturn, returnIdParams, returnTicketParams, type ReturnQuote as QuoteBody, type TicketReturn as ReturnBody } from '@ticketping/contracts/http';
import { caller, requireInternalCaller, validate } from '@ticketping/http';
import type { Quote, Returns } from './returns.service.ts';
import type { SeatReturn } from './returns.types.ts';

const RETURNS_LISTED = 50;

const quoteResponse = (q: Quote): QuoteBody => ({
  ticketId: q.ticketId, orderId: q.orderId, seatId: q.seatId, price: q.price, fee: q.fee, refund: q.refund, currency: q.currency,
});

export const returnResponse = (r: SeatReturn): ReturnBody => ({
  id: r.id, ticketId: r.ticketId, orderId: r.orderId, seatId: r.seatId, scheduleId: r.scheduleId, performanceId: r.performanceId,
  price: r.price, fee: r.fee, refund: r.refund, currency: r.currency, status: r.status,
  createdAt: r.createdAt.toISOString(), soldAt: r.soldAt?.toISOString() ?? null, refundedAt: r.refundedAt?.toISOString() ?? null,
});

/** The returns routes behind the gateway's credential (docs/openapi.yaml, tag Returns). */
export function mountReturnRoutes(router: Router, deps: { returns: Returns; internalToken: string }): void {
  const { returns } = deps;
  router.use('/api/v1/returns', requireInternalCaller(deps.internalToken));

  router.get('/api/v1/returns/tickets/:ticketId/quote', async (req, res) => {
    const { ticketId } = validate.params(returnTicketParams, req);
    res.json(quoteResponse(await returns.quote(caller(req), ticketId)));
  });

  router.post('/api/v1/returns', async (req, res) => {
    const { ticketId } = validate.body(NewReturn, req);
    res.status(201).json(returnResponse(await returns.list(caller(req), ticketId)));
  });

  router.get('/api/v1/returns', async (req, res) => {
    res.json({ items: (await returns.listMine(caller(req), RETURNS_LISTED)).map(returnResponse) });
  });

  router.delete('/api/v1/returns/:returnId', async (req, res) => {
    const { returnId } = validate.params(returnIdParams, req);
    res.json(returnResponse(await returns.withdraw(caller(req), returnId)));
  });
}
