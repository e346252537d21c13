import { ConflictError, ForbiddenError, NotFoundError } from '@ticketping/http';
import type { ReturnStatus } from './returns.types.ts';

export const ticketNotFound = () => new NotFoundError('TICKET_NOT_FOUND', 'No such ticket');
export const notTicketHolder = () => new ForbiddenError('NOT_TICKET_HOLDER', 'This ticket is someone else\'s');
export const returnNotFound = () => new NotFoundError('RETURN_NOT_FOUND', 'No such return of yours');
export const alreadyReturned = (returnId?: string) =>
  new ConflictError('ALREADY_RETURNED', 'This ticket was returned already', { extra: returnId ? { returnId } : {} });
export const ticketRevoked = () => new ConflictError('TICKET_REVOKED', 'This ticket is no longer valid');
export const ticketCheckedIn = () => new ConflictError('TICKET_CHECKED_IN', 'This ticket was used at the door already');
export const eventOver = () => new ConflictError('EVENT_OVER', 'This date has started or was cancelled: its tickets can no longer be returned');
/** The refund goes back to the card that paid: a ticket received by transfer is not the receiver's to cash in. */
export const transferredTicket = () =>
  new ConflictError('RETURN_NOT_ALLOWED', 'A ticket received by transfer cannot be returned: the refund would go to the card of the fan who bought it');
export const notWithdrawable = (status: ReturnStatus) =>
  new ConflictError('RETURN_NOT_WITHDRAWABLE', status === 'LISTED'
    ? 'A waitlisted fan holds an offer or an order for this seat right now; it can be withdrawn again if they let it go'
    : `This return is ${status.toLowerCase()}`, { extra: { returnStatus: status } });
