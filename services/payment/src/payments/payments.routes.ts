import type { Router } from 'express';
import { NewPayment, paymentIdParams } from '@ticketping/contracts/http';
import { caller, requireInternalCaller, validate } from '@ticketping/http';
import type { Idempotency } from '@ticketping/idempotency';
import type { Payments } from './payments.service.ts';
import { paymentResponse } from './payments.types.ts';


export function mountPaymentRoutes(router: Router, deps: { payments: Payments; idempotency: Idempotency; internalToken: string }): void {
  const { payments, idempotency } = deps;
  router.use('/api/v1/payments', requireInternalCaller(deps.internalToken));

  router.post('/api/v1/payments', idempotency.route(async (req) => {
    const who = caller(req);
    const body = validate.body(NewPayment, req);
    const payment = await payments.createPayment(who, body, req.get('idempotency-key')!);
    return { status: 201, body: paymentResponse(payment) };
  }, { required: true }));

  router.get('/api/v1/payments/:paymentId', async (req, res) => {
    const who = caller(req);
    const { paymentId } = validate.params(paymentIdParams, req);
    res.json(paymentResponse(await payments.getPayment(who, paymentId)));
  });
}
