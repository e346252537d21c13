import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, ServiceUnavailableError } from '@ticketping/http';

export const ticketNotFound = () => new NotFoundError('TICKET_NOT_FOUND', 'No such ticket of yours');
export const ticketRevoked = (reason: string | null) =>
  new ConflictError('TICKET_REVOKED', 'This ticket was revoked and can no longer be used or transferred', { extra: { reason } });
export const ticketUsed = () => new ConflictError('TICKET_CHECKED_IN', 'This ticket has been used at the door and can no longer be transferred');
export const transferLimitReached = (limit: number) =>
  new ConflictError('TRANSFER_LIMIT_REACHED', `A ticket may be transferred at most ${limit} time(s)`, { extra: { limit } });
export const recipientNotFound = () => new NotFoundError('RECIPIENT_NOT_FOUND', 'No account has this e-mail address; ask the recipient to sign up first');
export const transferToSelf = () => new BadRequestError('You already hold this ticket', { code: 'TRANSFER_TO_SELF' });
export const accountsUnavailable = () => new ServiceUnavailableError('ACCOUNTS_UNAVAILABLE', 'Accounts cannot be looked up for a moment; try again shortly', 2);
export const performanceNotFound = () => new NotFoundError('PERFORMANCE_NOT_FOUND', 'No such performance has tickets here');
export const notStaff = () => new ForbiddenError('STAFF_ONLY', 'Only staff of this performance may do this');
export const unknownIdentity = () => new ForbiddenError('ACCOUNT_ID_INVALID', 'This account cannot hold tickets');
export const scanIdReused = (scanId: string) =>
  new BadRequestError(`scanId ${scanId} was sent before for another ticket; make a new id for every scan`, { code: 'SCAN_ID_REUSED' });
