import { client, type Registry } from '@ticketping/metrics';
import type { ProofOfWorkObserver } from './proof-of-work/proof-of-work.service.ts';
import type { TickResult } from './redis/queue-store.ts';

/**
 * The waiting room's Prometheus figures (docs/metrics.md). One replica ticks each queue
 * (admission/ticker-ring.ts) and reports its gauges (aggregate with max: others have none, or
 * the same after a hand-over); the counters count what each replica did (aggregate with sum).
 */
export function createQueueMetrics(registry: Registry) {
  const labelNames = ['performance'] as const;
  const gauge = (name: string, help: string) => new client.Gauge({ name, help, labelNames, registers: [registry] });
  const counter = (name: string, help: string) => new client.Counter({ name, help, labelNames, registers: [registry] });
  const gauges = {
    waiting: gauge('ticketping_queue_waiting', 'Fans in the line'),
    active: gauge('ticketping_queue_active', 'Fans holding an admission slot'),
    capacity: gauge('ticketping_queue_capacity', 'Configured capacity'),
    admitPerMinute: gauge('ticketping_queue_admit_per_minute', "The admin's admission rate (a ceiling)"),
    operatorAdmitPerMinute: gauge('ticketping_queue_operator_admit_per_minute', "The queue-scaler's rate while in force (0: none)"),
    effectiveAdmitPerMinute: gauge('ticketping_queue_effective_admit_per_minute', 'The rate admitted at: the lower of the two'),
    admitRate: gauge('ticketping_queue_admit_rate_per_minute', 'Measured admissions in the last minute'),
    eta: gauge('ticketping_queue_eta_seconds', 'ETA of the last fan in line'),
  };
  const counters = {
    admitted: counter('ticketping_queue_admitted_total', 'Admissions'),
    expired: counter('ticketping_queue_expired_total', 'Active windows that ran out'),
    abandoned: counter('ticketping_queue_abandoned_total', 'Waiting fans dropped for not polling'),
  };

  return {
    record(performance: string, tick: TickResult): void {
      const labels = { performance };
      gauges.waiting.set(labels, tick.waiting);
      gauges.active.set(labels, tick.active);
      gauges.capacity.set(labels, tick.capacity);
      gauges.admitPerMinute.set(labels, tick.admitPerMinute);
      gauges.operatorAdmitPerMinute.set(labels, tick.operatorAdmitPerMinute);
      gauges.effectiveAdmitPerMinute.set(labels, tick.effectiveAdmitPerMinute);
      gauges.admitRate.set(labels, tick.admitRatePerMinute);
      gauges.eta.set(labels, tick.etaSecondsOfLast);
      counters.admitted.inc(labels, tick.admitted.length);
      counters.expired.inc(labels, tick.expired);
      counters.abandoned.inc(labels, tick.abandoned);
    },
    /** Another replica ticks this queue now: its gauges are reported there (counters stay, they are per replica). */
    release(performance: string): void {
      for (const gauge of Object.values(gauges)) gauge.remove({ performance });
    },
    /** A retired queue stops being exported. */
    forget(performance: string): void {
      for (const metric of [...Object.values(gauges), ...Object.values(counters)]) metric.remove({ performance });
    },
  };
}

export type QueueMetrics = ReturnType<typeof createQueueMetrics>;

/** How entries' proofs of work fared, and how often a busy address range was given a harder challenge. */
export function createProofOfWorkMetrics(registry: Registry): ProofOfWorkObserver {
  const outcomes = new client.Counter({ name: 'ticketping_queue_proof_of_work_total', help: 'Entries by what became of their proof-of-work', labelNames: ['outcome'] as const, registers: [registry] });
  const raised = new client.Counter({ name: 'ticketping_queue_proof_of_work_raised_total', help: 'Challenges made harder for a busy address range', registers: [registry] });
  return { outcome: (outcome) => outcomes.inc({ outcome }), raised: () => raised.inc() };
}
