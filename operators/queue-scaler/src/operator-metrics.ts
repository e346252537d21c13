/** The operator's Prometheus metrics (names from docs/metrics.md). */
import { client, createMetrics, type ServiceMetrics } from '@ticketping/metrics';

export type OperatorMetrics = ReturnType<typeof createOperatorMetrics>;

export function createOperatorMetrics() {
  const service: ServiceMetrics = createMetrics('queue-scaler');
  const registers = [service.registry];
  const labelNames = ['namespace', 'name'] as const;
  const desired = new client.Gauge({ name: 'queue_scaler_desired_replicas', help: 'Replicas decided', labelNames, registers });
  const current = new client.Gauge({ name: 'queue_scaler_current_replicas', help: 'Replicas of the target', labelNames, registers });
  const metricValue = new client.Gauge({ name: 'queue_scaler_metric_value', help: 'Last metric read', labelNames, registers });
  const failures = new client.Gauge({ name: 'queue_scaler_consecutive_failures', help: 'Metric reads failed in a row', labelNames, registers });
  const admitPerMinute = new client.Gauge({ name: 'queue_scaler_admit_per_minute', help: "The admission rate set from booking's health (admissionControl)", labelNames, registers });
  const adminAdmitPerMinute = new client.Gauge({ name: 'queue_scaler_admin_admit_per_minute', help: "The admins' admitPerMinute of the fed queues, summed: the ceiling", labelNames, registers });
  const bookingP95 = new client.Gauge({ name: 'queue_scaler_booking_p95_milliseconds', help: "Booking's request p95 over the last poll, merged over its pods", labelNames, registers });
  const bookingPods = new client.Gauge({ name: 'queue_scaler_booking_pods', help: "Booking pods whose metrics made the last window", labelNames, registers });
  const isLeader = new client.Gauge({ name: 'queue_scaler_is_leader', help: '1 on the instance holding the Lease', registers });
  const reconcileDuration = new client.Histogram({
    name: 'queue_scaler_reconcile_duration_seconds', help: 'Reconcile time', labelNames: ['outcome'] as const, registers,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });
  isLeader.set(0);
  const perScaler = [desired, current, metricValue, failures, admitPerMinute, adminAdmitPerMinute, bookingP95, bookingPods];
  return {
    service, desired, current, metricValue, failures, isLeader, reconcileDuration, admitPerMinute, adminAdmitPerMinute, bookingP95, bookingPods,
    /** Drops one QueueScaler's series (deleted, or no longer ours to report). */
    forget(namespace: string, name: string) { for (const g of perScaler) g.remove({ namespace, name }); },
    forgetAll() { for (const g of perScaler) g.reset(); },
  };
}
