import ical from 'ical-generator';
import QRCode from 'qrcode';
import type { TicketView } from './tickets.types.ts';

/**
 * Error correction M: a phone screen with a crack or a crumpled print still scans, and a code of
 * about 190 bytes stays a QR of a size a door scanner reads from arm's length.
 */
export function renderQr(code: string, format: 'svg' | 'png'): Promise<string | Buffer> {
  const options = { errorCorrectionLevel: 'M' as const, margin: 2 };
  return format === 'svg' ? QRCode.toString(code, { ...options, type: 'svg' }) : QRCode.toBuffer(code, { ...options, type: 'png', width: 384 });
}

const SHOW_LENGTH_MS = 3 * 3600_000;

/** One event for the ticket's show; the uid is the ticket's, so a second download updates the same entry. */
export function renderCalendar(ticket: TicketView, ticketUrl: string): string {
  const calendar = ical({ name: 'TicketPing', prodId: { company: 'TicketPing', product: 'tickets' } });
  const seat = ticket.seat ? `Section ${ticket.seat.section}, row ${ticket.seat.row}, seat ${ticket.seat.number}` : 'Seat on your ticket';
  const start = ticket.startsAt ?? ticket.issuedAt;
  calendar.createEvent({
    id: `${ticket.id}@tickets.ticketping`,
    start,
    end: new Date(start.getTime() + SHOW_LENGTH_MS),
    summary: ticket.title ?? 'Your TicketPing show',
    description: `${seat}\nYour ticket: ${ticketUrl}`,
    url: ticketUrl,
  });
  return calendar.toString();
}
