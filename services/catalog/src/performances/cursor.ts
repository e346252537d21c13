import { validationFailed, type AppError } from '@ticketping/http';

/** Where the next page starts: the sort key of the last item served. */
export interface ListPosition {
  bookingOpensAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opaque to clients: base64url of the sort key, so the order can change without breaking them. */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.bookingOpensAt.toISOString(), position.id])).toString('base64url');
}

/** A cursor we did not issue is the client's mistake: 400 naming `query.cursor`. */
export function decodeCursor(cursor: string): ListPosition {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded.length === 2) {
      const [opensAt, id] = decoded as unknown[];
      const bookingOpensAt = new Date(typeof opensAt === 'string' ? opensAt : Number.NaN);
      if (!Number.isNaN(bookingOpensAt.getTime()) && typeof id === 'string' && UUID.test(id)) return { bookingOpensAt, id };
    }
  } catch {
    // falls through to the 400 below
  }
  throw invalidField('query.cursor', 'is not a cursor this API issued; start again without it');
}

/** The same 400 shape as zod failures, for checks that need more than the request itself. */
export function invalidField(field: string, message: string): AppError {
  return validationFailed([{ field, message }]);
}
