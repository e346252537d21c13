import { client, type Registry } from '@ticketping/metrics';

/** The tickets service's own figures (docs/metrics.md). */
export interface TicketsMetrics {
  issued(count: number): void;
  revoked(reason: string, count: number): void;
  transferred(): void;
  scan(gate: string, outcome: string): void;
  /** From `order.confirmed` being written by booking to the tickets being committed here. */
  issueDelay: client.Histogram;
}

export function createTicketsMetrics(registry: Registry): TicketsMetrics {
  const issued = new client.Counter({ name: 'ticketping_tickets_issued_total', help: 'Tickets issued', registers: [registry] });
  const revoked = new client.Counter({ name: 'ticketping_tickets_revoked_total', help: 'Tickets revoked by reason', labelNames: ['reason'] as const, registers: [registry] });
  const transferred = new client.Counter({ name: 'ticketping_tickets_transferred_total', help: 'Ticket transfers', registers: [registry] });
  const scans = new client.Counter({
    name: 'ticketping_tickets_scans_total', help: 'Synced or online scans by gate and outcome (ADMITTED, DUPLICATE, REVOKED, ...)',
    labelNames: ['gate', 'outcome'] as const, registers: [registry],
  });
  return {
    issued: (count) => issued.inc(count),
    revoked: (reason, count) => revoked.inc({ reason }, count),
    transferred: () => transferred.inc(),
    scan: (gate, outcome) => scans.inc({ gate, outcome }),
    issueDelay: new client.Histogram({
      name: 'ticketping_tickets_issue_delay_seconds', help: 'Time from the order being confirmed to its tickets being issued',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: [registry],
    }),
  };
}
