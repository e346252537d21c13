/**
 * The Tiltfile and the dev manifests agree with the chart: no tilt runs here, so this checks what
 * would otherwise only fail on a developer's `tilt up` (paths, image keys, names, labels).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'uvu';
import { parse } from 'yaml';
import { SERVICES, chartDir, find, render, repoRoot } from './chart.ts';

const tiltfile = await readFile(path.join(repoRoot, 'Tiltfile'), 'utf8');
const read = async (file: string) => parse(await readFile(path.join(repoRoot, file), 'utf8')) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
const values = await read('charts/ticketping/values.yaml');
const devValues = await read('charts/ticketping/values-dev.yaml');

test('the Tiltfile deploys the chart with the dev values and injects every service image through its values keys', () => {
  assert.match(tiltfile, /^SERVICES = \['gateway', 'auth', 'catalog', 'queue', 'booking', 'payment', 'tickets'\]$/m);
  assert.match(tiltfile, /image_keys=\[\('%s\.image\.repository' % service, '%s\.image\.tag' % service\) for service in SERVICES\]/);
  for (const service of SERVICES) assert.deepEqual(Object.keys(values[service].image).sort(), ['repository', 'tag'], service);
  assert.match(tiltfile, /'--values=charts\/ticketping\/values-dev\.yaml'/);
  // Tilt's image references name their own registry, so the chart must not prefix one.
  assert.equal(devValues.image.registry, '');
  // Live update writes into the containers.
  assert.equal(devValues.containerSecurityContext.readOnlyRootFilesystem, false);
});

test('every repository path the Tiltfile names exists', () => {
  const paths = [...tiltfile.matchAll(/'((?:charts|manifests|packages|services|operators)\/[\w./-]*)'/g)].map((m) => m[1] ?? '');
  assert.ok(paths.length > 10);
  for (const file of paths.filter((p) => !p.includes('%'))) assert.ok(existsSync(path.join(repoRoot, file)), file);
  for (const service of SERVICES) assert.ok(existsSync(path.join(repoRoot, 'services', service, 'src/main.ts')), service);
});

test('every image is built from the one Dockerfile with its workspace folder as WORKSPACE, the gateway with the web pages', () => {
  const dockerfiles = [...tiltfile.matchAll(/docker_build\([^)]*?dockerfile='([^']+)'/g)].map((m) => m[1]);
  assert.deepEqual(dockerfiles, ['Dockerfile', 'Dockerfile']);
  assert.ok(existsSync(path.join(repoRoot, 'Dockerfile')));
  assert.match(tiltfile, /build_args=\{'WORKSPACE': 'operators\/queue-scaler'\}/);
  assert.match(tiltfile, /dockerfile='Dockerfile', target='dev',\s*build_args=\{'WORKSPACE': 'services\/' \+ service, 'EXTRA_BUILD': ' '\.join\(extra\)\}/);
  assert.match(tiltfile, /extra = \['services\/web'\] if service == 'gateway' else \[\]/);
  // The Dockerfile copies patches/ (and turbo prune reads turbo.json): they must be in the context.
  assert.match(tiltfile, /^BUILD_CONTEXT = \[.*'turbo\.json', 'patches'.*\]$/m);
});

test('the dev migrations run each database service\'s TypeScript migrate script', async () => {
  assert.deepEqual(devValues.migrations.command, ['node', '--conditions=source', 'src/migrate.ts']);
  const objects = await render({ valuesFiles: ['values-dev.yaml'] });
  const migrating = objects.filter((o) => o.kind === 'Deployment' && o.spec.template.spec.initContainers);
  assert.equal(migrating.length, 5);
  for (const deployment of migrating) {
    const service = deployment.metadata.name.replace('tp-ticketping-', '');
    const migrate = (deployment.spec.template.spec.initContainers as { name: string; command: string[] }[]).find((c) => c.name === 'migrate');
    assert.deepEqual(migrate?.command, devValues.migrations.command, service);
    assert.ok(existsSync(path.join(repoRoot, 'services', service, 'src/migrate.ts')), service);
  }
});

test('the operator reads the Redis the release creates, and the port-forwards name real Services', async () => {
  assert.match(tiltfile, /'--set=redis\.url=redis:\/\/%s-redis\.%s\.svc:6379' % \(RELEASE, NAMESPACE\)/);
  const objects = await render({ release: 'ticketping', namespace: 'ticketping', valuesFiles: ['values-dev.yaml'] });
  find(objects, 'Service', 'ticketping-redis');
  const gateway = find(objects, 'Service', 'ticketping-gateway');
  assert.match(tiltfile, new RegExp(`port-forward svc/%s-gateway 8080:${gateway.spec.ports[0].port}`));
  assert.match(tiltfile, /^RELEASE = 'ticketping'$/m);
  assert.match(tiltfile, /^NAMESPACE = 'ticketping'$/m);
});

test('the dev namespace enforces the restricted Pod Security Standard; Grafana loads the chart\'s dashboards', async () => {
  const namespace = await read('manifests/dev/namespace.yaml');
  assert.equal(namespace.metadata.name, 'ticketping');
  assert.equal(namespace.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
  const stack = await read('manifests/dev/kube-prometheus-stack-values.yaml');
  assert.equal(stack.grafana.sidecar.dashboards.label, 'grafana_dashboard');
  assert.equal(stack.grafana.sidecar.dashboards.labelValue, '1');
  assert.equal(stack.grafana.sidecar.dashboards.folderAnnotation, 'grafana_folder');
  assert.equal(stack.prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues, false);
  assert.match(tiltfile, /'kube-prometheus-stack', 'prometheus-community\/kube-prometheus-stack'/);
  assert.match(tiltfile, /svc\/kube-prometheus-stack-grafana 3000:80/);
  assert.ok(existsSync(path.join(chartDir, 'values-dev.yaml')));
});

test.run();
