import type { Router } from 'express';
import { z } from 'zod';
import { caller, requireInternalCaller, validate } from '@ticketping/http';
import type { Idempotency } from '@ticketping/idempotency';
import { passesLuhn } from './card.ts';
import type { Payments } from './payments.service.ts';
import { paymentResponse } from './payments.types.ts';

/** Unknown fields are rejected: the amount is the order's, never the client's. */
const createPaymentBody = z.strictObject({
  orderId: z.uuid(),
  method: z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('card'),
      cardNumber: z.string().regex(/^\d{12,19}$/, 'a card number is 12 to 19 digits').refine(passesLuhn, 'not a valid card number'),
    }),
  ]),
});
const paymentParams = z.object({ paymentId: z.uuid() });

export function mountPaymentRoutes(router: Router, deps: { payments: Payments; idempotency: Idempotency; internalToken: string }): void {
  const { payments, idempotency } = deps;
  router.use('/api/v1/payments', requireInternalCaller(deps.internalToken));

  router.post('/api/v1/payments', idempotency.route(async (req) => {
    const who = caller(req);
    const body = validate.body(createPaymentBody, req);
    const payment = await payments.createPayment(who, body, req.get('idempotency-key')!);
    return { status: 201, body: paymentResponse(payment) };
  }, { required: true }));

  router.get('/api/v1/payments/:paymentId', async (req, res) => {
    const who = caller(req);
    const { paymentId } = validate.params(paymentParams, req);
    res.json(paymentResponse(await payments.getPayment(who, paymentId)));
  });
}
