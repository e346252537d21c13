import { BadRequestError, ConflictError, NotFoundError } from '@ticketping/http';
import type { OrderStatus } from './orders.types.ts';

export const scheduleNotFound = (scheduleId: string) =>
  new NotFoundError('SCHEDULE_NOT_FOUND', `No schedule ${scheduleId} is on sale`, { extra: { scheduleId } });

export const orderNotFound = () => new NotFoundError('ORDER_NOT_FOUND', 'No such order');

export const seatUnavailable = (seatIds: string[]) =>
  new ConflictError('SEAT_UNAVAILABLE', `Seat(s) ${seatIds.join(', ')} are already held or sold`, { extra: { seatIds } });

export const unknownSeats = (seatIds: string[]) =>
  new BadRequestError(`body.seatIds: seat(s) ${seatIds.join(', ')} are not in this schedule`, {
    code: 'UNKNOWN_SEATS', extra: { seatIds, errors: [{ field: 'body.seatIds', message: 'unknown seat' }] },
  });

export const tooManySeats = (max: number) =>
  new BadRequestError(`body.seatIds: at most ${max} seat(s) per order for this performance`, {
    code: 'TOO_MANY_SEATS', extra: { maxSeatsPerOrder: max, errors: [{ field: 'body.seatIds', message: `at most ${max}` }] },
  });

export const personLimitReached = (max: number, held: number) =>
  new ConflictError('PERSON_LIMIT_REACHED', `At most ${max} seat(s) per person for this performance, over all its schedules; you hold ${held}`, {
    extra: { maxSeatsPerPerson: max, seatsHeld: held },
  });

export const mixedCurrencies = () =>
  new BadRequestError('body.seatIds: the seats are priced in different currencies; order them separately', { code: 'MIXED_CURRENCIES' });

export const liveOrderExists = (orderId: string | undefined) =>
  new ConflictError('ACTIVE_ORDER_EXISTS', 'You already have an order for this schedule; pay for it or cancel it first', { extra: { orderId } });

export const bookingNotOpen = (opensAt: Date) =>
  new ConflictError('BOOKING_NOT_OPEN', `Booking opens at ${opensAt.toISOString()}`, { extra: { bookingOpensAt: opensAt.toISOString() } });

export const performanceCancelled = () => new ConflictError('PERFORMANCE_CANCELLED', 'This performance has been cancelled');

export const bookingClosed = () => new ConflictError('BOOKING_CLOSED', 'Booking for this performance has closed');

export const orderNotCancellable = (status: OrderStatus) =>
  new ConflictError('ORDER_NOT_CANCELLABLE', `Only an order waiting for payment can be cancelled; this one is ${status}`, { extra: { status } });

export const orderNotRefundable = (status: OrderStatus) =>
  new ConflictError('ORDER_NOT_REFUNDABLE', `Only a confirmed order can be refunded; this one is ${status}`, { extra: { status } });
