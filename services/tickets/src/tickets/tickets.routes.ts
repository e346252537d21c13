import type { Request, Router } from 'express';
import { z } from 'zod';
import { qrQuery, ticketIdParams as ticketParams, ticketListQuery as listQuery, TransferRequest as transferBody } from '@ticketping/contracts/http';
import { caller, requireInternalCaller, validate, type Caller } from '@ticketping/http';
import type { TicketCode, Tickets } from './tickets.service.ts';
import { renderCalendar, renderQr } from './ticket-files.ts';
import { ticketRevoked, unknownIdentity } from './tickets.errors.ts';
import type { TicketView } from './tickets.types.ts';

/** Accounts are auth's (uuids): a holder's id goes into every code, staff grants name them. */
export function account(req: Request): Caller {
  const who = caller(req);
  if (!z.uuid().safeParse(who.id).success) throw unknownIdentity();
  return who;
}

const holder = (req: Request) => account(req).id;

export function ticketResponse(ticket: TicketView, code: TicketCode | null) {
  return {
    id: ticket.id,
    orderId: ticket.orderId,
    performanceId: ticket.performanceId,
    scheduleId: ticket.scheduleId,
    title: ticket.title,
    startsAt: ticket.startsAt?.toISOString() ?? null,
    seat: ticket.seat ? { seatId: ticket.seatId, ...ticket.seat } : { seatId: ticket.seatId },
    status: ticket.status,
    revokedReason: ticket.revokedReason,
    checkedInAt: ticket.checkedInAt?.toISOString() ?? null,
    version: ticket.version,
    transfers: ticket.transferCount,
    code,
    issuedAt: ticket.issuedAt.toISOString(),
  };
}

export function mountTicketRoutes(router: Router, deps: { tickets: Tickets; internalToken: string; jwks: () => Promise<unknown> }): void {
  const { tickets } = deps;
  router.use('/api/v1/tickets', requireInternalCaller(deps.internalToken));

  // Public: anyone may verify a code, offline, with these keys (current and previous).
  router.get('/api/v1/tickets/jwks.json', async (_req, res) => {
    res.set('cache-control', 'public, max-age=300').json(await deps.jwks());
  });

  router.get('/api/v1/tickets', async (req, res) => {
    const { limit } = validate.query(listQuery, req);
    const items = await tickets.list(holder(req), limit);
    res.set('cache-control', 'private, no-store').json({ items: items.map(({ ticket, code }) => ticketResponse(ticket, code)) });
  });

  router.get('/api/v1/tickets/:ticketId', async (req, res) => {
    const { ticketId } = validate.params(ticketParams, req);
    const { ticket, code } = await tickets.get(holder(req), ticketId);
    res.set('cache-control', 'private, no-store').json(ticketResponse(ticket, code));
  });

  router.get('/api/v1/tickets/:ticketId/qr', async (req, res) => {
    const { ticketId } = validate.params(ticketParams, req);
    const { format } = validate.query(qrQuery, req);
    const { ticket, code } = await tickets.get(holder(req), ticketId);
    if (!code) throw ticketRevoked(ticket.revokedReason);
    res.set('cache-control', 'private, no-store').type(format === 'svg' ? 'image/svg+xml' : 'image/png').send(await renderQr(code.code, format));
  });

  router.get('/api/v1/tickets/:ticketId/calendar.ics', async (req, res) => {
    const { ticketId } = validate.params(ticketParams, req);
    const ticket = await tickets.mine(holder(req), ticketId);
    // The fan pages route by hash (services/web): a calendar link opens My tickets.
    const url = `${req.protocol}://${req.get('host') ?? 'localhost'}/#/tickets`;
    res.set('content-disposition', `attachment; filename="ticket-${ticket.id}.ics"`).type('text/calendar; charset=utf-8').send(renderCalendar(ticket, url));
  });

  router.post('/api/v1/tickets/:ticketId/transfers', async (req, res) => {
    const { ticketId } = validate.params(ticketParams, req);
    const { email } = validate.body(transferBody, req);
    const ticket = await tickets.transfer(holder(req), ticketId, email);
    // The sender no longer holds it: the answer says where it went, without the new holder's code.
    res.status(201).json({ ticketId: ticket.id, status: 'TRANSFERRED', version: ticket.version, transfers: ticket.transferCount });
  });
}
