import { client, type Registry } from '@ticketping/metrics';

/** Payment's own figures (docs/metrics.md, "Booking and payment"). */
export interface PaymentMetrics {
  outcome(status: 'SUCCEEDED' | 'FAILED' | 'REFUNDED' | 'RETURN_REFUNDED'): void;
  providerDuration: client.Histogram<'operation' | 'outcome'>;
  circuitOpen: client.Gauge;
  /** What the order reconciler did about a SUCCEEDED payment whose order was not CONFIRMED. */
  reconciled(action: 'refund_requested' | 'announced'): void;
}

export function createPaymentMetrics(registry: Registry): PaymentMetrics {
  const total = new client.Counter({ name: 'ticketping_payment_total', help: 'Payment outcomes', labelNames: ['status'] as const, registers: [registry] });
  const reconciled = new client.Counter({
    name: 'ticketping_payment_reconciled_total',
    help: 'SUCCEEDED payments whose order was not CONFIRMED, by what the reconciler did',
    labelNames: ['action'] as const,
    registers: [registry],
  });
  return {
    outcome: (status) => total.inc({ status }),
    reconciled: (action) => reconciled.inc({ action }),
    providerDuration: new client.Histogram({
      name: 'ticketping_payment_provider_duration_seconds',
      help: 'Calls to the payment provider by operation and outcome',
      labelNames: ['operation', 'outcome'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    circuitOpen: new client.Gauge({ name: 'ticketping_payment_circuit_open', help: '1 while the provider circuit breaker is open', registers: [registry] }),
  };
}
