import { ConflictError, NotFoundError } from '@ticketping/http';
import type { OfferStatus } from './waitlist.types.ts';

export const notOnWaitlist = () => new NotFoundError('NOT_ON_WAITLIST', 'You are not on this schedule\'s waitlist');

export const offerNotFound = () => new NotFoundError('OFFER_NOT_FOUND', 'No such offer');

/** The waitlist is for sold-out schedules: while a seat is free, the fan books it the usual way. */
export const seatsAvailable = (scheduleId: string) =>
  new ConflictError('SEATS_AVAILABLE', 'Seats of this schedule are still on sale: book one instead of waiting', { extra: { scheduleId } });

export const offerNotOpen = (status: OfferStatus | 'EXPIRED') =>
  new ConflictError('OFFER_NOT_OPEN', status === 'EXPIRED' ? 'The offer ran out and moved on to the next fan' : `The offer is ${status.toLowerCase()}`, { extra: { offerStatus: status } });
