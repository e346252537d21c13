import { ConflictError, NotFoundError, ServiceUnavailableError } from '@ticketping/http';

export const paymentNotFound = () => new NotFoundError('PAYMENT_NOT_FOUND', 'No such payment');
export const orderNotFound = () => new NotFoundError('ORDER_NOT_FOUND', 'No such order waiting for your payment');
export const orderNotPayable = (status: string) =>
  new ConflictError('ORDER_NOT_PAYABLE', `Only an order waiting for payment can be paid; this one is ${status}`, { extra: { status } });
export const orderExpired = () => new ConflictError('ORDER_EXPIRED', 'The hold on these seats has expired; book again');
export const orderAlreadyPaid = (paymentId: string) => new ConflictError('ORDER_ALREADY_PAID', 'This order has been paid already', { extra: { paymentId } });
export const paymentInProgress = (paymentId: string) =>
  new ConflictError('PAYMENT_IN_PROGRESS', 'A payment for this order is being processed', { extra: { paymentId }, headers: { 'retry-after': '2' } });
export const providerUnavailable = (retryAfterSeconds: number) =>
  new ServiceUnavailableError('PAYMENT_PROVIDER_UNAVAILABLE', 'Payments are unavailable for a moment; nothing was charged, try again shortly', retryAfterSeconds);
