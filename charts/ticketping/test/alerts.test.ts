/**
 * Alert rules and their routing: promtool checks and unit-tests files/alerts.yaml (a case for every
 * alert), the PrometheusRule the chart renders from it is a valid rule file too, every alert links a
 * runbook section that exists, and amtool checks the Discord routing (critical → on-call, warnings
 * inhibited under a critical of the same service), which the AlertmanagerConfig mirrors.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import { parse, stringify } from 'yaml';
import { chartDir, find, mustRun, render, repoRoot } from './chart.ts';

interface Rule { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface RuleFile { groups: { name: string; rules: Rule[] }[] }
interface AlertTest { alertname: string; exp_alerts: { exp_labels: Record<string, string> }[] }
interface TestFile { tests: { name: string; alert_rule_test?: AlertTest[] }[] }

const rulesPath = path.join(chartDir, 'files/alerts.yaml');
const testsPath = path.join(chartDir, 'test/alerts.tests.yaml');
const alertmanagerDir = path.join(repoRoot, 'manifests/alertmanager');
const alertmanagerConfig = path.join(alertmanagerDir, 'alertmanager.yml');

const ruleFile = parse(await readFile(rulesPath, 'utf8')) as RuleFile;
const alerts = ruleFile.groups.flatMap((g) => g.rules).filter((r): r is Rule & { alert: string } => Boolean(r.alert));
let scratch = '';

test.before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'ticketping-alerts-'));
});

test.after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

test('promtool accepts the rule file and passes its unit tests', async () => {
  assert.match(await mustRun('promtool', ['check', 'rules', rulesPath]), /SUCCESS: 18 rules found/);
  assert.match(await mustRun('promtool', ['test', 'rules', testsPath]), /SUCCESS/);
});

test('the issue\'s alert list is covered', () => {
  assert.deepEqual(alerts.map((a) => a.alert).sort(), [
    'BusMessageStuck', 'EventLoopLagHigh', 'HoldExpirySpike', 'HttpErrorRatioHigh', 'HttpLatencyP99High', 'KafkaConsumerLagHigh', 'KafkaDeadLetterGrowing',
    'OutboxRelayLagging', 'PaymentCircuitOpen', 'PaymentFailureRatioHigh', 'PodCrashLooping', 'QueueAdmissionStalled',
    'QueueBacklogNotDraining', 'QueueScalerAtMaxReplicas', 'QueueScalerMetricFailing', 'QueueScalerNoLeader',
    'TicketDuplicateEntriesHigh', 'TicketIssueDelayHigh',
  ]);
});

test('every alert has a promtool case where it fires, carrying severity, namespace and service', async () => {
  const cases = (parse(await readFile(testsPath, 'utf8')) as TestFile).tests.flatMap((t) => t.alert_rule_test ?? []);
  for (const { alert, labels } of alerts) {
    const firing = cases.filter((c) => c.alertname === alert).flatMap((c) => c.exp_alerts);
    assert.ok(firing.length > 0, `${alert} has no test case in which it fires`);
    for (const expected of firing) {
      // promtool compared these labels with what the rule produced, so they are what Alertmanager sees.
      assert.ok(['warning', 'critical'].includes(expected.exp_labels.severity ?? ''), alert);
      assert.ok(expected.exp_labels.service, `${alert} fires without a service label (inhibition needs it)`);
      assert.ok(expected.exp_labels.namespace, `${alert} fires without a namespace label (AlertmanagerConfig routing needs it)`);
    }
    assert.ok(labels?.severity, alert);
  }
});

test('every alert has a summary, a description and a runbook section in docs/operations.md', async () => {
  const operations = await readFile(path.join(repoRoot, 'docs/operations.md'), 'utf8');
  // GitHub's heading anchors: lower case, spaces to dashes, punctuation dropped.
  const anchors = new Set([...operations.matchAll(/^#{1,6} (.+)$/gm)].map((m) => (m[1] ?? '').trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')));
  for (const { alert, annotations } of alerts) {
    assert.ok(annotations?.summary && annotations.description, alert);
    const [file, anchor] = (annotations.runbook_url ?? '').split('#');
    assert.equal(file, 'docs/operations.md', alert);
    assert.ok(anchor && anchors.has(anchor), `${alert}: docs/operations.md has no section #${anchor}`);
  }
});

test('the rendered PrometheusRule is a valid rule file with runbook links on the configured base', async () => {
  const objects = await render({ apiVersions: ['monitoring.coreos.com/v1'], set: { 'monitoring.prometheusRule.runbookBaseUrl': 'https://docs.example/ops.md' } });
  const rule = find(objects, 'PrometheusRule', 'tp-ticketping');
  const file = path.join(scratch, 'rendered.yaml');
  await writeFile(file, stringify({ groups: rule.spec.groups }));
  assert.match(await mustRun('promtool', ['check', 'rules', file]), /SUCCESS: 21 rules found/);
  const rendered = (rule.spec.groups as RuleFile['groups']).flatMap((g) => g.rules);
  for (const alert of rendered.filter((r) => r.alert)) assert.match(alert.annotations?.runbook_url ?? '', /^https:\/\/docs\.example\/ops\.md#[a-z0-9]+$/);
  // One maxReplicaCount record per QueueScaler, for QueueScalerAtMaxReplicas and QueueScalerNoLeader.
  const records = rendered.filter((r) => r.record === 'ticketping:queue_scaler_max_replicas');
  assert.deepEqual(records.map((r) => [r.labels?.name, r.labels?.namespace, r.expr]),
    [['tp-ticketping-queue', 'tickets', 'vector(10)'], ['tp-ticketping-booking', 'tickets', 'vector(10)'], ['tp-ticketping-gateway', 'tickets', 'vector(10)']]);
});

test('with the operator off the PrometheusRule leaves out the queue-scaler alerts', async () => {
  const objects = await render({ apiVersions: ['monitoring.coreos.com/v1'], set: { 'queueScaler.enabled': false } });
  const groups = find(objects, 'PrometheusRule', 'tp-ticketping').spec.groups as RuleFile['groups'];
  assert.equal(groups.some((g) => g.rules.some((r) => r.alert?.startsWith('QueueScaler') || r.record)), false);
  assert.equal(groups.length, ruleFile.groups.length - 1);
});

test('amtool accepts the Alertmanager config; critical goes to on-call, the rest to the alerts channel', async () => {
  assert.match(await mustRun('amtool', ['check-config', alertmanagerConfig]), /SUCCESS/);
  const receiver = async (...labels: string[]) => (await mustRun('amtool', ['config', 'routes', 'test', `--config.file=${alertmanagerConfig}`, ...labels])).trim();
  assert.equal(await receiver('alertname=HttpErrorRatioHigh', 'severity=critical', 'service=booking'), 'discord-oncall');
  assert.equal(await receiver('alertname=HttpLatencyP99High', 'severity=warning', 'service=booking'), 'discord-alerts');
  const config = parse(await readFile(alertmanagerConfig, 'utf8')) as { inhibit_rules: Record<string, string[]>[]; receivers: { discord_configs?: unknown[] }[] };
  assert.deepEqual(config.inhibit_rules, [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['namespace', 'service'] }]);
  assert.ok(config.receivers.every((r) => r.discord_configs?.length === 1), 'every receiver is a native Discord receiver');
});

test('the Discord messages carry each alert\'s summary, description and runbook link', async () => {
  const data = path.join(scratch, 'data.json');
  await writeFile(data, JSON.stringify({
    receiver: 'discord-oncall', status: 'firing', externalURL: 'http://alertmanager',
    groupLabels: { alertname: 'HttpErrorRatioHigh' }, commonLabels: { alertname: 'HttpErrorRatioHigh', namespace: 'tickets', severity: 'critical' },
    commonAnnotations: {},
    alerts: [{ status: 'firing', labels: { alertname: 'HttpErrorRatioHigh', namespace: 'tickets', service: 'booking' },
      annotations: { summary: 'booking answers 9% of requests with 5xx', description: 'More than 5%...', runbook_url: 'https://docs.example/ops.md#httperrorratiohigh' },
      startsAt: '2026-11-24T10:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: 'f' }],
  }));
  const renderTemplate = (text: string) => mustRun('amtool', ['template', 'render', `--template.glob=${path.join(alertmanagerDir, 'discord.tmpl')}`, `--template.text=${text}`, `--template.data=${data}`]);
  const title = await renderTemplate('{{ template "ticketping.discord.title" . }}');
  const message = await renderTemplate('{{ template "ticketping.discord.message" . }}');
  assert.equal(title.trim(), '[FIRING:1] HttpErrorRatioHigh (tickets)');
  assert.match(message, /\*\*booking answers 9% of requests with 5xx\*\*/);
  assert.match(message, /Runbook: https:\/\/docs\.example\/ops\.md#httperrorratiohigh/);

  // The AlertmanagerConfig inlines the same texts (prometheus-operator takes no template files per config).
  const crd = parse(await readFile(path.join(alertmanagerDir, 'alertmanagerconfig-discord.yaml'), 'utf8')) as { spec: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const receiver of crd.spec.receivers) {
    const discord = receiver.discordConfigs[0];
    assert.equal(await renderTemplate(discord.title), title, receiver.name);
    assert.equal(await renderTemplate(discord.message), message, receiver.name);
  }
});

test('the AlertmanagerConfig routes and inhibits exactly like alertmanager.yml, with webhooks from a Secret', async () => {
  const plain = parse(await readFile(alertmanagerConfig, 'utf8')) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  const crd = parse(await readFile(path.join(alertmanagerDir, 'alertmanagerconfig-discord.yaml'), 'utf8')) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(crd.apiVersion, 'monitoring.coreos.com/v1alpha1');
  assert.equal(crd.kind, 'AlertmanagerConfig');
  const matcher = (m: { name: string; matchType: string; value: string }) => `${m.name}${m.matchType}"${m.value}"`;
  assert.equal(crd.spec.route.receiver, plain.route.receiver);
  assert.deepEqual(crd.spec.route.groupBy, plain.route.group_by);
  assert.deepEqual(crd.spec.route.routes.map((r: { receiver: string; matchers: never[] }) => [r.receiver, r.matchers.map(matcher)]),
    plain.route.routes.map((r: { receiver: string; matchers: string[] }) => [r.receiver, r.matchers]));
  assert.deepEqual(crd.spec.inhibitRules.map((r: { sourceMatch: never[]; targetMatch: never[]; equal: string[] }) => ({
    source_matchers: r.sourceMatch.map(matcher), target_matchers: r.targetMatch.map(matcher), equal: r.equal })), plain.inhibit_rules);
  assert.deepEqual(crd.spec.receivers.map((r: { name: string }) => r.name), plain.receivers.map((r: { name: string }) => r.name));
  for (const receiver of crd.spec.receivers) assert.deepEqual(Object.keys(receiver.discordConfigs[0].apiURL).sort(), ['key', 'name']);
});

test.run();
