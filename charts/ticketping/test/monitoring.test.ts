/**
 * Monitoring objects: Grafana dashboards (valid, covering what on-call needs, shipped as ConfigMaps the
 * sidecar finds), the ServiceMonitor (only where the API exists; selects exactly the services),
 * and the metrics contract: every metric a dashboard or alert queries is one docs/metrics.md promises
 * (or a prom-client / kube-state-metrics default).
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'uvu';
import { parse } from 'yaml';
import { SERVICES, byKind, chartDir, find, render, repoRoot } from './chart.ts';

interface Panel { type: string; title: string; targets?: { expr: string }[]; panels?: Panel[] }
interface Dashboard { uid: string; title: string; panels: Panel[]; templating: { list: { name: string }[] } }

const dashboardDir = path.join(chartDir, 'dashboards');
const dashboards = new Map<string, Dashboard>();
for (const file of (await readdir(dashboardDir)).filter((f) => f.endsWith('.json')).sort()) {
  dashboards.set(file, JSON.parse(await readFile(path.join(dashboardDir, file), 'utf8')) as Dashboard);
}
const exprs = (dashboard: Dashboard) => dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);

/** Defaults of prom-client (Node runtime) and kube-state-metrics, which docs/metrics.md only summarises. */
const PLATFORM_METRICS = new Set([
  'nodejs_eventloop_lag_p99_seconds', 'nodejs_gc_duration_seconds', 'nodejs_active_handles_total', 'nodejs_heap_size_used_bytes',
  'process_cpu_seconds_total', 'process_resident_memory_bytes', 'kube_pod_container_status_waiting_reason',
]);

/** Metric names in a PromQL expression (histogram series resolved to the histogram's name). */
function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"[^"]*"/g, '""').replace(/\[[^\]]*\]/g, '');
  // `ticketping:…` series are recorded by the chart itself (templates/prometheusrule.yaml), not scraped.
  const names = [...withoutStrings.matchAll(/(?<![\w:])(ticketping_[a-z_]+|queue_scaler_[a-z_]+|http_server_[a-z_]+|nodejs_[a-z0-9_]+|process_[a-z_]+|kube_[a-z_]+)\b/g)].map((m) => m[1] ?? '');
  return names.map((n) => n.replace(/_(bucket|count|sum)$/, ''));
}

test('dashboards are valid Grafana JSON with unique uids, a datasource variable and a query on every panel', () => {
  assert.deepEqual([...dashboards.keys()], ['booking.json', 'node-runtime.json', 'queue-scaler.json', 'services.json', 'tickets.json', 'waiting-room.json']);
  const uids = [...dashboards.values()].map((d) => d.uid);
  assert.equal(new Set(uids).size, uids.length);
  for (const [file, dashboard] of dashboards) {
    assert.ok(dashboard.title.startsWith('TicketPing / '), file);
    assert.ok(dashboard.templating.list.some((v) => v.name === 'datasource'), file);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) assert.ok(panel.targets?.length && panel.targets.every((t) => t.expr), `${file}: ${panel.title}`);
  }
});

test('dashboards show what the issue asks for', () => {
  const queries = (file: string) => exprs(dashboards.get(file) as Dashboard).join('\n');
  for (const metric of [
    'ticketping_queue_waiting', 'ticketping_queue_active', 'ticketping_queue_admit_rate_per_minute', 'ticketping_queue_eta_seconds',
    // the admins' ceiling beside the operator's rate, and the rate admitted at (issue 17)
    'ticketping_queue_admit_per_minute', 'ticketping_queue_operator_admit_per_minute', 'ticketping_queue_effective_admit_per_minute',
  ]) {
    assert.match(queries('waiting-room.json'), new RegExp(metric), `waiting room: ${metric}`);
  }
  for (const metric of ['ticketping_booking_holds_total', 'ticketping_booking_orders_total', 'ticketping_payment_total', 'ticketping_outbox_oldest_pending_seconds', 'ticketping_bus_oldest_unhandled_seconds']) {
    assert.match(queries('booking.json'), new RegExp(metric), `booking: ${metric}`);
  }
  // The organiser's waitlist row: length, offers made/claimed/expired, per date (schedule_id), replicas deduplicated by max.
  assert.match(queries('booking.json'), /max by \(schedule_id\) \(ticketping_waitlist_waiting\{/, 'waitlist length per date');
  assert.match(queries('booking.json'), /sum by \(schedule_id\) \(max by \(schedule_id, status\) \(ticketping_waitlist_offers\{/, 'offers made per date');
  for (const status of ['CLAIMED', 'EXPIRED']) assert.match(queries('booking.json'), new RegExp(`ticketping_waitlist_offers\\{[^}]*status="${status}"`), `offers ${status} per date`);
  // Returns for resale per date and state (listed, sold, refunded), replicas deduplicated the same way.
  assert.match(queries('booking.json'), /max by \(schedule_id, status\) \(ticketping_returns\{/, 'returns per date and state');
  assert.ok((dashboards.get('booking.json') as Dashboard).templating.list.some((v) => v.name === 'schedule'), 'a date (schedule) variable');
  assert.match(queries('services.json'), /rate\(http_server_request_duration_seconds_count/);
  assert.match(queries('services.json'), /status=~"5\.\."/);
  assert.match(queries('services.json'), /histogram_quantile\(0\.99/);
  assert.match(queries('node-runtime.json'), /nodejs_eventloop_lag_p99_seconds/);
  assert.match(queries('queue-scaler.json'), /queue_scaler_desired_replicas/);
  assert.match(queries('queue-scaler.json'), /queue_scaler_metric_value/);
  for (const metric of ['ticketping_tickets_issued_total', 'ticketping_tickets_revoked_total', 'ticketping_tickets_issue_delay_seconds_bucket']) {
    assert.match(queries('tickets.json'), new RegExp(metric), `tickets: ${metric}`);
  }
  assert.match(queries('tickets.json'), /sum by \(gate\) \(increase\(ticketping_tickets_scans_total\{[^}]*outcome="ADMITTED"\}\[1m\]\)\)/, 'check-ins per minute per gate');
});

test('every metric that dashboards and alerts query is in docs/metrics.md (or a platform default)', async () => {
  const contract = await readFile(path.join(repoRoot, 'docs/metrics.md'), 'utf8');
  const rules = parse(await readFile(path.join(chartDir, 'files/alerts.yaml'), 'utf8')) as { groups: { rules: { expr: string }[] }[] };
  const queries = [...[...dashboards.values()].flatMap(exprs), ...rules.groups.flatMap((g) => g.rules.map((r) => r.expr))];
  const used = new Set(queries.flatMap(metricNames));
  assert.ok(used.size > 30);
  for (const metric of used) {
    assert.ok(PLATFORM_METRICS.has(metric) || contract.includes(`\`${metric}\``), `${metric} is not in docs/metrics.md`);
  }
});

test('each dashboard is a ConfigMap labelled for the Grafana sidecar', async () => {
  const configMaps = byKind(await render(), 'ConfigMap').filter((c) => c.metadata.name.startsWith('tp-ticketping-dashboard-'));
  assert.equal(configMaps.length, dashboards.size);
  for (const configMap of configMaps) {
    assert.equal(configMap.metadata.labels?.grafana_dashboard, '1');
    assert.equal(configMap.metadata.annotations?.grafana_folder, 'TicketPing');
    const [file, json] = Object.entries(configMap.data ?? {})[0] ?? [];
    assert.deepEqual(JSON.parse(json ?? ''), dashboards.get(file ?? ''));
  }
  assert.equal(byKind(await render({ set: { 'monitoring.dashboards.enabled': false } }), 'ConfigMap').filter((c) => c.metadata.name.includes('dashboard')).length, 0);
});

test('ServiceMonitor and PrometheusRule exist only where monitoring.coreos.com/v1 is served', async () => {
  const without = await render();
  assert.equal(byKind(without, 'ServiceMonitor').length + byKind(without, 'PrometheusRule').length, 0);
  const objects = await render({ apiVersions: ['monitoring.coreos.com/v1'], set: { 'monitoring.serviceMonitor.labels': { release: 'kube-prometheus-stack' } } });
  const monitor = find(objects, 'ServiceMonitor', 'tp-ticketping');
  assert.equal(monitor.metadata.labels?.release, 'kube-prometheus-stack');
  assert.deepEqual(monitor.spec.namespaceSelector, { matchNames: ['tickets'] });
  // It selects the services' Services, and no dependency's.
  const selected = byKind(objects, 'Service').filter((s) => Object.entries(monitor.spec.selector.matchLabels as Record<string, string>).every(([k, v]) => s.metadata.labels?.[k] === v));
  assert.deepEqual(selected.map((s) => s.metadata.name).sort(), SERVICES.map((s) => `tp-ticketping-${s}`).sort());
  const endpoint = monitor.spec.endpoints[0];
  assert.equal(endpoint.port, 'management');
  assert.equal(endpoint.path, '/metrics');
  // The services' own `service` label must survive the scrape: alerts and dashboards group by it.
  assert.equal(endpoint.honorLabels, true);
  const rule = find(objects, 'PrometheusRule', 'tp-ticketping');
  assert.ok(rule.spec.groups.length > 0);
  assert.equal(byKind(await render({ apiVersions: ['monitoring.coreos.com/v1'], set: { 'monitoring.serviceMonitor.enabled': false } }), 'ServiceMonitor').length, 0);
});

test.run();
