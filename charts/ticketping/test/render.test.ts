/**
 * The chart as rendered by the real helm for the value sets people use: defaults, external
 * dependencies, the operator off, production, and invalid values. (Monitoring on and the
 * dashboards: monitoring.test.ts; the API server's verdict: install.int.test.ts.)
 */
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, type JsonWebKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'uvu';
import {
  SERVICES, byKind, chartDir, containerEnv, find, helmBinary, mustRun, podSpecs, render, renderError, renderText, run, secretData, type K8sObject,
} from './chart.ts';

const name = (service: string) => `tp-ticketping-${service}`;

test('helm lint --strict passes for the defaults, the dev values and the production values', async () => {
  for (const values of [[], ['values-dev.yaml'], ['values-production.yaml']]) {
    const output = await mustRun(helmBinary, ['lint', '--strict', chartDir, ...values.flatMap((file) => ['--values', `${chartDir}/${file}`])]);
    assert.match(output, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  }
});

test('defaults: a Deployment, Service and PodDisruptionBudget (maxUnavailable 1) per service', async () => {
  const objects = await render();
  for (const service of SERVICES) {
    const deployment = find(objects, 'Deployment', name(service));
    const selector = deployment.spec.selector.matchLabels as Record<string, string>;
    const podLabels = deployment.spec.template.metadata.labels as Record<string, string>;
    for (const [key, value] of Object.entries(selector)) assert.equal(podLabels[key], value, `${service}: selector label ${key} on the pods`);
    const svc = find(objects, 'Service', name(service));
    assert.deepEqual(svc.spec.selector, selector, `${service}: the Service selects the Deployment's pods`);
    assert.equal(svc.spec.ports[0].targetPort, 'http');
    const pdb = find(objects, 'PodDisruptionBudget', name(service));
    assert.equal(pdb.spec.maxUnavailable, 1);
    assert.deepEqual(pdb.spec.selector.matchLabels, selector);
  }
});

test('defaults: the operator owns queue and booking replicas; the others have a fixed count', async () => {
  const objects = await render();
  for (const service of SERVICES) {
    const spec = find(objects, 'Deployment', name(service)).spec;
    if (service === 'queue' || service === 'booking' || service === 'gateway') assert.equal('replicas' in spec, false, `${service} must leave replicas to the operator`);
    else assert.equal(spec.replicas, 1, service);
  }
  const scalers = byKind(objects, 'QueueScaler');
  assert.deepEqual(scalers.map((s) => s.spec.scaleTargetRef.name).sort(), [name('booking'), name('gateway'), name('queue')]);
  for (const scaler of scalers) {
    assert.equal(scaler.apiVersion, 'scaling.ticketping.dev/v1alpha1');
    find(objects, 'Deployment', scaler.spec.scaleTargetRef.name);
    assert.ok(scaler.spec.minReplicaCount <= scaler.spec.maxReplicaCount);
  }
  assert.equal(find(objects, 'QueueScaler', name('booking')).spec.source.metric, 'backlog');
});

test('defaults: the queue tier scales on the fans\' queue requests counted at the gateway\'s pods', async () => {
  const objects = await render();
  const gatewayPods = find(objects, 'Deployment', name('gateway')).spec.selector.matchLabels;
  assert.deepEqual(find(objects, 'QueueScaler', name('queue')).spec.source, {
    metric: 'requestRate', route: '/api/v1/queues/', pods: { selector: { matchLabels: gatewayPods }, port: 'management', path: '/metrics' },
  });
  // the gateway labels the poll routes with these templates (services/gateway/src/route-table.ts)
  const queuePods = find(objects, 'Deployment', name('queue')).spec.selector.matchLabels;
  const own = find(await render({ set: { 'queueScaler.queue.countRequestsAt': 'queue' } }), 'QueueScaler', name('queue')).spec.source;
  assert.deepEqual(own.pods.selector, { matchLabels: queuePods }, 'countRequestsAt names whose pods are counted');
  // backlog stays available: route and pods are left out (CEL refuses them with any other metric)
  const backlog = find(await render({ set: { 'queueScaler.queue.source.metric': 'backlog', 'queueScaler.queue.targetPerReplica': 2000 } }), 'QueueScaler', name('queue')).spec;
  assert.deepEqual(backlog.source, { metric: 'backlog' });
  for (const scaler of byKind(objects, 'QueueScaler')) assert.equal('countRequestsAt' in scaler.spec, false, 'a chart-only value');
});

test('defaults: admission follows booking\'s health, and every tier pre-warms before an open; each can be turned off', async () => {
  const objects = await render();
  const booking = find(objects, 'QueueScaler', name('booking')).spec;
  assert.deepEqual(booking.admissionControl, {
    bookingPods: { port: 'management', path: '/metrics' }, slo: { p95Milliseconds: 500, errorPercent: 1 },
    additiveIncrease: 60, decreasePercent: 30, maxIncreasePerMinute: 600, minAdmitPerMinute: 60, maxAdmitPerMinute: 6000, minSamples: 20,
  });
  // what the CRD's CEL requires with admissionControl
  assert.notEqual(booking.source.metric, 'active');
  assert.ok(booking.minReplicaCount >= 1);
  for (const service of ['queue', 'booking', 'gateway']) {
    const preWarm = find(objects, 'QueueScaler', name(service)).spec.preWarm;
    assert.ok(preWarm.fansPerReplica >= 1 && preWarm.leadSeconds > 0 && 'holdSeconds' in preWarm && !('enabled' in preWarm), service);
  }
  const off = await render({ set: {
    'queueScaler.booking.admissionControl.enabled': false, 'queueScaler.booking.preWarm.enabled': false,
    'queueScaler.queue.preWarm.enabled': false, 'queueScaler.gateway.preWarm.enabled': false,
  } });
  for (const service of ['queue', 'booking', 'gateway']) assert.equal('preWarm' in find(off, 'QueueScaler', name(service)).spec, false, service);
  assert.equal('admissionControl' in find(off, 'QueueScaler', name('booking')).spec, false);
  // with admission control off, booking may scale on `active` again
  const active = await render({ set: { 'queueScaler.booking.admissionControl.enabled': false, 'queueScaler.booking.source.metric': 'active' } });
  assert.equal(find(active, 'QueueScaler', name('booking')).spec.source.metric, 'active');
});

test('defaults: containers listen on 0.0.0.0:8080 and 9090 (management), probed on the management port, resources set', async () => {
  const objects = await render();
  for (const service of SERVICES) {
    const deployment = find(objects, 'Deployment', name(service));
    const container = deployment.spec.template.spec.containers[0];
    const env = containerEnv(deployment);
    assert.equal(env.get('PORT')?.value, '8080');
    assert.equal(env.get('HOST')?.value, '0.0.0.0');
    assert.equal(env.get('MANAGEMENT_PORT')?.value, '9090');
    assert.equal(container.image, `docker.io/ticketping/${service}:0.1.0`);
    assert.deepEqual(container.ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'management', containerPort: 9090, protocol: 'TCP' }]);
    assert.deepEqual(container.livenessProbe.httpGet, { path: '/healthz', port: 'management' });
    assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'management' });
    assert.deepEqual(container.startupProbe.httpGet, { path: '/healthz', port: 'management' });
    assert.ok(container.resources.requests.cpu && container.resources.requests.memory && container.resources.limits.memory, service);
    const spread = deployment.spec.template.spec.topologySpreadConstraints as { topologyKey: string; labelSelector: { matchLabels: unknown } }[];
    assert.deepEqual(spread.map((c) => c.topologyKey), ['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    for (const constraint of spread) assert.deepEqual(constraint.labelSelector.matchLabels, deployment.spec.selector.matchLabels);
  }
});

test('every pod of every value set meets the restricted Pod Security Standard', async () => {
  const sets = [await render(), await render({ valuesFiles: ['values-production.yaml'] }), await render({ valuesFiles: ['values-dev.yaml'] })];
  for (const [index, objects] of sets.entries()) {
    for (const { owner, spec } of podSpecs(objects)) {
      assert.equal(spec.securityContext.runAsNonRoot, true, owner);
      assert.equal(spec.securityContext.seccompProfile.type, 'RuntimeDefault', owner);
      assert.equal(spec.automountServiceAccountToken, false, owner);
      for (const container of [...spec.containers, ...(spec.initContainers ?? [])]) {
        const where = `${owner} ${container.name}`;
        assert.equal(container.securityContext.allowPrivilegeEscalation, false, where);
        assert.deepEqual(container.securityContext.capabilities.drop, ['ALL'], where);
        // The dev values give up the read-only root filesystem so Tilt can sync files.
        if (index < 2) assert.equal(container.securityContext.readOnlyRootFilesystem, true, where);
      }
    }
  }
});

test('defaults: every secret env var points at a key that exists; each service gets only what it needs', async () => {
  const objects = await render();
  const data = secretData(find(objects, 'Secret', name('secrets')));
  for (const deployment of [...byKind(objects, 'Deployment'), ...byKind(objects, 'StatefulSet'), ...byKind(objects, 'Job')]) {
    for (const container of [...deployment.spec.template.spec.containers, ...(deployment.spec.template.spec.initContainers ?? [])]) {
      for (const variable of container.env ?? []) {
        const ref = variable.valueFrom?.secretKeyRef;
        if (!ref) continue;
        assert.equal(ref.name, name('secrets'), `${deployment.metadata.name} ${variable.name}`);
        assert.ok(data[ref.key], `${deployment.metadata.name} ${variable.name}: key ${ref.key} is in the Secret`);
      }
    }
  }
  const has = (service: string, variable: string) => containerEnv(find(objects, 'Deployment', name(service))).has(variable);
  for (const service of SERVICES) assert.ok(has(service, 'INTERNAL_TOKEN'), service);
  assert.deepEqual(SERVICES.filter((s) => has(s, 'DATABASE_URL')), ['auth', 'catalog', 'booking', 'payment', 'tickets']);
  assert.deepEqual(SERVICES.filter((s) => has(s, 'REDIS_URL')), ['gateway', 'auth', 'catalog', 'queue', 'booking']);
  assert.deepEqual(SERVICES.filter((s) => has(s, 'AUTH_SIGNING_KEY') || has(s, 'QUEUE_SIGNING_KEY')), ['auth', 'queue']);
  assert.deepEqual(SERVICES.filter((s) => has(s, 'TICKET_SIGNING_KEYS')), ['tickets']);
  // Transfers and staff grants name accounts by e-mail: tickets asks auth.
  assert.equal(new URL(containerEnv(find(objects, 'Deployment', name('tickets'))).get('AUTH_URL')?.value ?? '').hostname, `${name('auth')}.tickets.svc`);
  assert.deepEqual(SERVICES.filter((s) => has(s, 'ADMIN_PASSWORD')), ['auth']);
  assert.deepEqual(SERVICES.filter((s) => has(s, 'QUEUE_JWKS')), ['gateway', 'booking']);
  assert.equal(containerEnv(find(objects, 'Deployment', name('payment'))).get('PAYMENT_PROVIDER')?.value, 'simulated');
  assert.equal(containerEnv(find(objects, 'Deployment', name('payment'))).get('BOOKING_URL')?.value, 'http://tp-ticketping-booking.tickets.svc:80', 'payment reads orders it has not heard of from booking');
  // Empty optional URLs are left out: the services validate them as URLs when present.
  assert.equal(has('gateway', 'FARO_COLLECTOR_URL'), false);
  assert.equal(find(objects, 'ConfigMap', name('config')).data?.OTEL_EXPORTER_OTLP_ENDPOINT, undefined);
});

test('defaults: the gateway reaches each service by its in-cluster URL and port', async () => {
  const objects = await render();
  const env = containerEnv(find(objects, 'Deployment', name('gateway')));
  for (const service of SERVICES.filter((s) => s !== 'gateway')) {
    const url = new URL(env.get(`${service.toUpperCase()}_URL`)?.value ?? '');
    const svc = find(objects, 'Service', name(service));
    assert.equal(url.hostname, `${svc.metadata.name}.tickets.svc`);
    assert.equal(Number(url.port || 80), svc.spec.ports[0].port);
  }
  assert.equal(env.get('WEB_ORIGIN')?.value, 'http://ticketping.local');
  const ingress = find(objects, 'Ingress', 'tp-ticketping');
  assert.deepEqual(ingress.spec.rules[0].http.paths[0].backend.service, { name: name('gateway'), port: { name: 'http' } });
});

test('the Ingress never routes a management port; each Service has one for Prometheus', async () => {
  for (const objects of [await render(), await render({ valuesFiles: ['values-production.yaml'] })]) {
    for (const ingress of byKind(objects, 'Ingress')) {
      const backends = (ingress.spec.rules as Array<{ http: { paths: Array<{ backend: { service: { port: { name?: string; number?: number } } } }> } }>)
        .flatMap((rule) => rule.http.paths.map((p) => p.backend.service.port));
      assert.ok(backends.every((port) => port.name === 'http' && port.number === undefined), JSON.stringify(backends));
    }
  }
  for (const service of SERVICES) {
    const ports = find(await render(), 'Service', name(service)).spec.ports as Array<{ name: string; port: number; targetPort: string }>;
    assert.deepEqual(ports.map((p) => [p.name, p.port, p.targetPort]), [['http', 80, 'http'], ['management', 9090, 'management']]);
  }
});

test('defaults: generated signing keys are Ed25519 key pairs whose JWKS holds only the public half', async () => {
  const data = secretData(find(await render(), 'Secret', name('secrets')));
  for (const [keyName, jwksName] of [['AUTH_SIGNING_KEY', 'AUTH_JWKS'], ['QUEUE_SIGNING_KEY', 'QUEUE_JWKS'], ['TICKET_SIGNING_KEYS', 'TICKETS_JWKS']] as const) {
    const privateJwk = JSON.parse(data[keyName] ?? '') as JsonWebKey & { kid: string; alg: string };
    assert.equal(privateJwk.kty, 'OKP');
    assert.equal(privateJwk.crv, 'Ed25519');
    assert.equal(privateJwk.alg, 'EdDSA');
    // node:crypto derives the public key from `d`: it must be the `x` the chart published.
    const derived = createPublicKey(createPrivateKey({ key: privateJwk, format: 'jwk' })).export({ format: 'jwk' });
    assert.equal(derived.x, privateJwk.x);
    const jwks = JSON.parse(data[jwksName] ?? '') as { keys: (JsonWebKey & { kid: string })[] };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]?.kid, privateJwk.kid);
    assert.equal(jwks.keys[0]?.x, privateJwk.x);
    assert.equal('d' in (jwks.keys[0] ?? {}), false);
  }
  assert.ok((data.INTERNAL_TOKEN ?? '').length >= 32);
  assert.ok((data.ADMIN_PASSWORD ?? '').length >= 16);
});

test('signing keys given in values (an array, to rotate) are published without their private part', async () => {
  const newKey = { kty: 'OKP', crv: 'Ed25519', kid: 'new', d: 'ZGRkZA', x: 'eHh4eA' };
  const oldKey = { ...newKey, kid: 'old', d: 'b2xk', x: 'b2xkeA' };
  const data = secretData(find(await render({ set: { 'secrets.authSigningKey': JSON.stringify([newKey, oldKey]) } }), 'Secret', name('secrets')));
  assert.deepEqual(JSON.parse(data.AUTH_SIGNING_KEY ?? ''), [newKey, oldKey]);
  const jwks = JSON.parse(data.AUTH_JWKS ?? '') as { keys: Record<string, string>[] };
  assert.deepEqual(jwks.keys.map((k) => k.kid), ['new', 'old']);
  assert.ok(jwks.keys.every((k) => !('d' in k)));
});

test('defaults: in-cluster Redis (AOF, noeviction), Kafka (KRaft) and Postgres, wired into the connection settings', async () => {
  const objects = await render();
  const data = secretData(find(objects, 'Secret', name('secrets')));
  const redis = find(objects, 'StatefulSet', name('redis')).spec.template.spec.containers[0];
  const redisArgs = (redis.args as string[]).join(' ');
  assert.match(redisArgs, /--appendonly yes/);
  assert.match(redisArgs, /--maxmemory-policy noeviction/);
  assert.equal(new URL(data.REDIS_URL ?? '').hostname, `${find(objects, 'Service', name('redis')).metadata.name}.tickets.svc`);

  const database = new URL(data.DATABASE_URL ?? '');
  assert.equal(database.hostname, `${name('postgres')}.tickets.svc`);
  assert.equal(decodeURIComponent(database.password), data.POSTGRES_PASSWORD);
  assert.equal(database.pathname, '/ticketping');

  const kafka = find(objects, 'StatefulSet', name('kafka'));
  assert.equal(kafka.spec.podManagementPolicy, 'Parallel');
  assert.equal(find(objects, 'Service', `${name('kafka')}-headless`).spec.publishNotReadyAddresses, true);
  const brokers = find(objects, 'ConfigMap', name('config')).data?.KAFKA_BROKERS;
  assert.equal(brokers, `${name('kafka')}-0.${name('kafka')}-headless.tickets.svc:9092`);
  const properties = find(objects, 'ConfigMap', name('kafka')).data?.['server.properties'] ?? '';
  assert.match(properties, /^process\.roles=broker,controller$/m);
  assert.match(properties, new RegExp(`^controller\\.quorum\\.voters=0@${name('kafka')}-0\\.${name('kafka')}-headless\\.tickets\\.svc:9093$`, 'm'));
  const clusterId = containerEnv(kafka).get('CLUSTER_ID')?.value ?? '';
  assert.equal(Buffer.from(clusterId, 'base64url').length, 16, 'a KRaft cluster id is 16 bytes, base64url');
});

test('defaults: network policies let only the ingress controller reach the gateway, only the gateway the rest (auth also tickets and booking, catalog also the queue, booking also payment), Prometheus only the management ports', async () => {
  const objects = await render();
  const peers = (policyName: string) => find(objects, 'NetworkPolicy', policyName).spec.ingress[0].from as Record<string, { matchLabels: Record<string, string> }>[];
  const monitoring = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } };
  assert.deepEqual(peers(name('gateway')), [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }]);
  const gatewayPods = find(objects, 'Deployment', name('gateway')).spec.selector.matchLabels;
  const queuePods = find(objects, 'Deployment', name('queue')).spec.selector.matchLabels;
  const paymentPods = find(objects, 'Deployment', name('payment')).spec.selector.matchLabels;
  const queueScaler = { namespaceSelector: {}, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'queue-scaler' } } };
  for (const service of SERVICES) {
    const rules = find(objects, 'NetworkPolicy', name(service)).spec.ingress as Array<{ from: unknown[]; ports: Array<{ port: string }> }>;
    assert.deepEqual(rules.map((r) => r.ports.map((p) => p.port)), [['http'], ['management']], service);
    // the operator scrapes every booking pod's /metrics (admission control), and the gateway's and the queue's (requestRate)
    assert.deepEqual(rules[1]!.from, ['booking', 'queue', 'gateway'].includes(service) ? [monitoring, queueScaler] : [monitoring], service);
    if (service === 'gateway' || service === 'auth') continue;
    // the queue reads catalog's performances on sale to rebuild the waiting rooms Redis lost,
    // payment reads an order from booking when its order.created has not arrived yet,
    // and the operator hands the queue its admission rate
    const also = {
      catalog: [{ podSelector: { matchLabels: queuePods } }], booking: [{ podSelector: { matchLabels: paymentPods } }], queue: [queueScaler],
    }[service as string] ?? [];
    const callers = [{ podSelector: { matchLabels: gatewayPods } }, ...also];
    assert.deepEqual(peers(name(service)), callers, service);
  }
  const ticketsPods = find(objects, 'Deployment', name('tickets')).spec.selector.matchLabels;
  const bookingPods = find(objects, 'Deployment', name('booking')).spec.selector.matchLabels;
  assert.deepEqual(peers(name('auth')), [{ podSelector: { matchLabels: gatewayPods } }, { podSelector: { matchLabels: ticketsPods } }, { podSelector: { matchLabels: bookingPods } }]);
  const releasePods = { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ticketping', 'app.kubernetes.io/instance': 'tp' } } };
  assert.deepEqual(peers(name('postgres')), [releasePods]);
  assert.deepEqual(peers(name('kafka')), [releasePods]);
  assert.deepEqual(peers(name('redis')), [releasePods, queueScaler]);
});

test('one hop: a second Ingress sends fans\' status polls to the queue, which gets the edge\'s settings and the ingress controller as a caller', async () => {
  const oneHop = { 'ingress.statusPollsToQueue.enabled': true, 'queueScaler.queue.countRequestsAt': 'queue', 'ingress.tls': true };
  const objects = await render({ set: oneHop });
  const polls = find(objects, 'Ingress', 'tp-ticketping-status-polls');
  const main = find(objects, 'Ingress', 'tp-ticketping');
  assert.deepEqual(polls.spec.tls, main.spec.tls, 'the same host and certificate');
  assert.equal(polls.spec.rules[0].host, main.spec.rules[0].host);
  const [route] = polls.spec.rules[0].http.paths;
  assert.deepEqual(route.backend.service, { name: name('queue'), port: { name: 'http' } });
  assert.equal(polls.metadata.annotations?.['nginx.ingress.kubernetes.io/use-regex'], 'true');
  // the regular expression takes exactly the routes the queue serves in one hop
  const pattern = new RegExp(`^${route.path}`);
  for (const path of ['/api/v1/queues/7d0b5a1e-2c1f-4a8e-9d3b-0f6a2b4c8e11/entries/me', '/api/v1/queues/p/entries/me/']) assert.ok(pattern.test(path), path);
  for (const path of ['/api/v1/queues/p/entries', '/api/v1/queues/p', '/api/v1/queues/p/entries/me/x', '/api/v1/waitlist/s/entries/me']) assert.ok(!pattern.test(path), path);

  const queueEnv = containerEnv(find(objects, 'Deployment', name('queue')));
  assert.equal(queueEnv.get('QUEUE_ONE_HOP')?.value, 'true');
  assert.equal(queueEnv.get('WEB_ORIGIN')?.value, 'https://ticketping.local');
  assert.equal(queueEnv.get('AUTH_JWKS')?.valueFrom?.secretKeyRef?.key, 'AUTH_JWKS', 'the access-token keys the gateway verifies with');
  const peers = find(objects, 'NetworkPolicy', name('queue')).spec.ingress[0].from;
  assert.ok(peers.some((peer: Record<string, unknown>) => JSON.stringify(peer) === JSON.stringify({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } })), 'the ingress controller may reach the queue');
  assert.equal(find(objects, 'QueueScaler', name('queue')).spec.source.pods.selector.matchLabels['app.kubernetes.io/component'], 'queue', 'the polls are counted where they now arrive');

  const defaults = await render();
  assert.equal(byKind(defaults, 'Ingress').length, 1, 'off by default');
  assert.equal(containerEnv(find(defaults, 'Deployment', name('queue'))).has('QUEUE_ONE_HOP'), false);
  assert.match(await renderError({ set: { 'ingress.statusPollsToQueue.enabled': true } }), /set queueScaler.queue.countRequestsAt=queue/);
});

test('defaults: each database service migrates its schema in init containers before it starts; no hook Job', async () => {
  const objects = await render();
  assert.deepEqual(byKind(objects, 'Job'), []);
  assert.deepEqual(objects.filter((o) => o.metadata.annotations?.['helm.sh/hook']).map((o) => `${o.kind}/${o.metadata.name}`), []);
  for (const service of SERVICES) {
    const spec = find(objects, 'Deployment', name(service)).spec.template.spec;
    const init = (spec.initContainers ?? []) as { name: string; image: string; command: string[]; env: { name: string }[] }[];
    if (!['auth', 'catalog', 'booking', 'payment', 'tickets'].includes(service)) {
      assert.deepEqual(init, [], service);
      continue;
    }
    assert.deepEqual(init.map((c) => c.name), ['wait-for-postgres', 'migrate'], service);
    assert.equal(init[1]?.image, `docker.io/ticketping/${service}:0.1.0`, 'the service migrates with its own image');
    assert.deepEqual(init[1]?.command, ['node', 'dist/migrate.js']);
    assert.ok(init.every((c) => c.env.some((e) => e.name === 'DATABASE_URL')), service);
  }
  const off = await render({ set: { 'migrations.enabled': false } });
  assert.equal(find(off, 'Deployment', name('booking')).spec.template.spec.initContainers, undefined);
});

test('external dependencies: no StatefulSets; URLs and brokers come from values or the given Secrets', async () => {
  const objects = await render({
    set: {
      'redis.mode': 'external', 'redis.external.url': 'redis://:pw@redis.example:6379',
      'kafka.mode': 'external', 'kafka.external.brokers': ['k1.example:9092', 'k2.example:9092'],
      'postgres.mode': 'external', 'postgres.external.existingSecret': 'pg-credentials', 'postgres.external.existingSecretKey': 'url',
    },
  });
  assert.deepEqual(byKind(objects, 'StatefulSet'), []);
  assert.deepEqual(byKind(objects, 'NetworkPolicy').map((p) => p.metadata.name).filter((n) => /redis|kafka|postgres/.test(n)), []);
  const data = secretData(find(objects, 'Secret', name('secrets')));
  assert.equal(data.REDIS_URL, 'redis://:pw@redis.example:6379');
  assert.equal(data.DATABASE_URL, undefined);
  assert.equal(find(objects, 'ConfigMap', name('config')).data?.KAFKA_BROKERS, 'k1.example:9092,k2.example:9092');
  for (const service of ['auth', 'booking'] as const) {
    assert.deepEqual(containerEnv(find(objects, 'Deployment', name(service))).get('DATABASE_URL')?.valueFrom?.secretKeyRef, { name: 'pg-credentials', key: 'url' });
  }
  const migrate = (find(objects, 'Deployment', name('booking')).spec.template.spec.initContainers as { name: string; env: { name: string; valueFrom?: unknown }[] }[])
    .find((c) => c.name === 'migrate');
  assert.deepEqual(migrate?.env.find((e) => e.name === 'DATABASE_URL')?.valueFrom, { secretKeyRef: { name: 'pg-credentials', key: 'url' } });
});

test('external Redis Cluster: REDIS_CLUSTER_NODES reaches every service and no REDIS_URL is set', async () => {
  const objects = await render({ set: { 'redis.mode': 'external', 'redis.external.clusterNodes': ['r0:6379', 'r1:6379', 'r2:6379'] } });
  assert.equal(find(objects, 'ConfigMap', name('config')).data?.REDIS_CLUSTER_NODES, 'r0:6379,r1:6379,r2:6379');
  for (const service of SERVICES) {
    const deployment = find(objects, 'Deployment', name(service));
    assert.equal(containerEnv(deployment).has('REDIS_URL'), false, service);
    assert.equal(deployment.spec.template.spec.containers[0].envFrom[0].configMapRef.name, name('config'));
  }
});

test('existingSecret: the application secrets come from it; the chart Secret keeps only connection settings', async () => {
  const objects = await render({ set: { 'secrets.existingSecret': 'tp-app-secrets' } });
  const data = secretData(find(objects, 'Secret', name('secrets')));
  assert.deepEqual(Object.keys(data).sort(), ['DATABASE_URL', 'POSTGRES_PASSWORD', 'REDIS_URL']);
  const auth = containerEnv(find(objects, 'Deployment', name('auth')));
  for (const variable of ['INTERNAL_TOKEN', 'AUTH_SIGNING_KEY', 'ADMIN_EMAIL', 'ADMIN_PASSWORD']) {
    assert.equal(auth.get(variable)?.valueFrom?.secretKeyRef?.name, 'tp-app-secrets', variable);
  }
  assert.equal(auth.get('DATABASE_URL')?.valueFrom?.secretKeyRef?.name, name('secrets'));
});

test('postgres.statefulset.existingSecret: Postgres and every DATABASE_URL take the password from it; the chart generates none', async () => {
  const objects = await render({ set: { 'postgres.statefulset.existingSecret': 'pg-owner', 'postgres.statefulset.existingSecretPasswordKey': 'pw' } });
  assert.equal(secretData(find(objects, 'Secret', name('secrets'))).POSTGRES_PASSWORD, undefined);
  assert.equal(secretData(find(objects, 'Secret', name('secrets'))).DATABASE_URL, undefined);
  assert.deepEqual(containerEnv(find(objects, 'StatefulSet', name('postgres'))).get('POSTGRES_PASSWORD')?.valueFrom?.secretKeyRef, { name: 'pg-owner', key: 'pw' });
  const users = byKind(objects, 'Deployment');
  for (const workload of users) {
    for (const container of [...workload.spec.template.spec.containers, ...(workload.spec.template.spec.initContainers ?? [])]) {
      const env = (container.env ?? []) as { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
      const url = env.findIndex((e) => e.name === 'DATABASE_URL');
      if (url < 0) continue;
      const where = `${workload.metadata.name}/${container.name}`;
      // Kubernetes expands $(DATABASE_PASSWORD) only when that variable is listed before the URL.
      const password = env.findIndex((e) => e.name === 'DATABASE_PASSWORD');
      assert.ok(password >= 0 && password < url, where);
      assert.deepEqual(env[password]?.valueFrom?.secretKeyRef, { name: 'pg-owner', key: 'pw' }, where);
      assert.equal(env[url]?.value, 'postgres://ticketping:$(DATABASE_PASSWORD)@tp-ticketping-postgres.tickets.svc:5432/ticketping', where);
    }
  }
  assert.deepEqual(SERVICES.filter((s) => containerEnv(find(objects, 'Deployment', name(s))).has('DATABASE_URL')), ['auth', 'catalog', 'booking', 'payment', 'tickets']);
});

test('gitops: with every secret from an existing Secret, two renders are byte-identical', async () => {
  const options = { set: { gitops: true, 'secrets.existingSecret': 'tp-app-secrets', 'postgres.statefulset.existingSecret': 'tp-postgres' } };
  const [first, second] = [await renderText(options), await renderText(options)];
  assert.ok(first.length > 10_000);
  assert.equal(first, second);
  // The defaults generate keys and passwords anew on every render: what an Argo CD sync would see.
  assert.notEqual(await renderText(), await renderText());
});

test('gitops: a render that would generate a secret fails and names every value to give', async () => {
  const message = await renderError({ set: { gitops: true } });
  assert.match(message, /gitops=true: helm template cannot read the live Secret back/);
  for (const value of ['secrets.internalToken', 'secrets.adminPassword', 'secrets.authSigningKey', 'secrets.queueSigningKey', 'secrets.ticketSigningKeys', 'postgres.statefulset.password']) {
    assert.ok(message.includes(value), value);
  }
  assert.match(await renderError({ set: { gitops: true, 'secrets.existingSecret': 'tp-app-secrets' } }), /so postgres\.statefulset\.password would be generated/);
  // Values in git (e.g. decrypted by a plugin) are stable too, and so is a Postgres the chart does not run.
  const given = await renderText({ set: { gitops: true, 'secrets.existingSecret': 'tp-app-secrets', 'postgres.mode': 'external', 'postgres.external.existingSecret': 'pg' } });
  assert.ok(given.includes('kind: Secret'));
});

test('e-mail: off by default; with an SMTP host, tickets, auth and booking (waitlist offers) get SMTP_URL (login from the given Secret), MAIL_FROM and PUBLIC_URL', async () => {
  const mailVariables = ['SMTP_URL', 'SMTP_USERNAME', 'SMTP_PASSWORD', 'MAIL_FROM'];
  const defaults = await render();
  for (const service of SERVICES) {
    const env = containerEnv(find(defaults, 'Deployment', name(service)));
    assert.deepEqual(mailVariables.filter((v) => env.has(v)), [], `${service}: no SMTP settings without a host`);
  }

  const objects = await render({
    set: {
      'mail.smtp.host': 'smtp.example.org', 'mail.smtp.existingSecret': 'smtp-login', 'mail.smtp.passwordKey': 'token',
      'mail.from': 'Tickets <tickets@example.org>', 'ingress.enabled': true, 'ingress.hostname': 'tickets.example.org', 'ingress.tls': true,
    },
  });
  for (const service of SERVICES) {
    const deployment = find(objects, 'Deployment', name(service));
    const env = containerEnv(deployment);
    if (service !== 'tickets' && service !== 'auth' && service !== 'booking') {
      assert.deepEqual(mailVariables.filter((v) => env.has(v)), [], `${service} sends no mail`);
      continue;
    }
    assert.deepEqual(env.get('SMTP_USERNAME')?.valueFrom?.secretKeyRef, { name: 'smtp-login', key: 'username' }, service);
    assert.deepEqual(env.get('SMTP_PASSWORD')?.valueFrom?.secretKeyRef, { name: 'smtp-login', key: 'token' }, service);
    assert.equal(env.get('SMTP_URL')?.value, 'smtp://$(SMTP_USERNAME):$(SMTP_PASSWORD)@smtp.example.org:587', service);
    // Kubernetes expands $(VAR) only from variables listed before it.
    const order = (deployment.spec.template.spec.containers[0].env as { name: string }[]).map((e) => e.name);
    assert.ok(order.indexOf('SMTP_USERNAME') < order.indexOf('SMTP_URL') && order.indexOf('SMTP_PASSWORD') < order.indexOf('SMTP_URL'), service);
    assert.equal(env.get('MAIL_FROM')?.value, 'Tickets <tickets@example.org>', service);
    assert.equal(env.get('PUBLIC_URL')?.value, 'https://tickets.example.org', `${service}: mails link to the fans' pages`);
  }

  // TLS from the first byte, and a server that takes mail without a login.
  const plain = containerEnv(find(await render({ set: { 'mail.smtp.host': 'relay.internal', 'mail.smtp.port': 465, 'mail.smtp.tls': true } }), 'Deployment', name('tickets')));
  assert.equal(plain.get('SMTP_URL')?.value, 'smtps://relay.internal:465');
  assert.equal(plain.has('SMTP_USERNAME'), false);
});

test('proof-of-work: the queue gets its QUEUE_POW_* settings from queue.proofOfWork (large numbers as digits), and no other service any of them', async () => {
  const powVariables = ['QUEUE_POW_MAX_NUMBER', 'QUEUE_POW_TTL_SECONDS', 'QUEUE_POW_RANGE_STEP', 'QUEUE_POW_RANGE_WINDOW_SECONDS', 'QUEUE_POW_MAX_DOUBLINGS', 'QUEUE_POW_HMAC_KEY'];
  const defaults = await render();
  const queueEnv = containerEnv(find(defaults, 'Deployment', name('queue')));
  assert.deepEqual(powVariables.map((v) => queueEnv.get(v)?.value), ['100000', '120', '30', '60', '6', undefined]);
  assert.equal(queueEnv.has('QUEUE_POW_HMAC_KEY'), false, 'derived from INTERNAL_TOKEN, which every replica (and booking) shares');
  for (const service of SERVICES.filter((s) => s !== 'queue')) {
    const env = containerEnv(find(defaults, 'Deployment', name(service)));
    assert.deepEqual(powVariables.filter((v) => env.has(v)), [], service);
  }

  const tuned = containerEnv(find(await render({
    set: {
      'queue.proofOfWork.maxNumber': 100_000_000, 'queue.proofOfWork.ttlSeconds': 60, 'queue.proofOfWork.rangeStep': 10,
      'queue.proofOfWork.rangeWindowSeconds': 300, 'queue.proofOfWork.maxDoublings': 4,
    },
  }), 'Deployment', name('queue')));
  assert.deepEqual(powVariables.slice(0, 5).map((v) => tuned.get(v)?.value), ['100000000', '60', '10', '300', '4']);
  assert.equal(containerEnv(find(await render({ set: { 'queue.proofOfWork.maxNumber': 0 } }), 'Deployment', name('queue'))).get('QUEUE_POW_MAX_NUMBER')?.value, '0', 'off');
});

test('operator off: queue and booking get their replicaCount and no QueueScaler exists', async () => {
  const objects = await render({ set: { 'queueScaler.enabled': false, 'queue.replicaCount': 3, 'booking.replicaCount': 4 } });
  assert.equal(find(objects, 'Deployment', name('queue')).spec.replicas, 3);
  assert.equal(find(objects, 'Deployment', name('booking')).spec.replicas, 4);
  assert.deepEqual(byKind(objects, 'QueueScaler'), []);
});

test('production values: HA replicas, Strimzi Kafka with RF 3 / min ISR 2, CloudNativePG with a standby', async () => {
  const objects = await render({ valuesFiles: ['values-production.yaml'] });
  for (const service of ['auth', 'catalog', 'payment', 'tickets']) assert.ok(find(objects, 'Deployment', name(service)).spec.replicas >= 2, service);
  for (const scaler of byKind(objects, 'QueueScaler')) assert.ok(scaler.spec.minReplicaCount >= 2, scaler.metadata.name);
  const kafka = find(objects, 'Kafka', 'tp-ticketping');
  assert.equal(kafka.spec.kafka.config['default.replication.factor'], 3);
  assert.equal(kafka.spec.kafka.config['min.insync.replicas'], 2);
  assert.equal(kafka.spec.kafka.config['offsets.topic.replication.factor'], 3);
  const pool = find(objects, 'KafkaNodePool', 'tp-ticketping-dual-role');
  assert.equal(pool.spec.replicas, 3);
  assert.equal(pool.metadata.labels?.['strimzi.io/cluster'], 'tp-ticketping');
  const topics = byKind(objects, 'KafkaTopic').map((t) => t.spec.topicName as string).sort();
  assert.deepEqual(topics, ['booking.orders', 'booking.orders.dlq', 'booking.performances', 'booking.performances.dlq',
    'booking.waitlist', 'booking.waitlist.dlq', 'catalog.performances', 'catalog.performances.dlq', 'payment.payments', 'payment.payments.dlq', 'tickets.tickets', 'tickets.tickets.dlq']);
  for (const topic of byKind(objects, 'KafkaTopic')) {
    assert.equal(topic.spec.replicas, 3);
    assert.ok(topic.spec.partitions >= find(objects, 'QueueScaler', name('booking')).spec.maxReplicaCount, 'partitions cap booking consumers');
  }
  assert.equal(find(objects, 'ConfigMap', name('config')).data?.KAFKA_BROKERS, 'tp-ticketping-kafka-bootstrap.tickets.svc:9092');
  const cluster = find(objects, 'Cluster', name('postgres'));
  assert.equal(cluster.spec.instances, 2);
  assert.deepEqual(containerEnv(find(objects, 'Deployment', name('booking'))).get('DATABASE_URL')?.valueFrom?.secretKeyRef, { name: `${name('postgres')}-app`, key: 'uri' });
  const redis = find(objects, 'StatefulSet', name('redis'));
  assert.equal(redis.spec.volumeClaimTemplates[0].spec.resources.requests.storage, '20Gi');
  assert.equal(byKind(objects, 'StatefulSet').length, 1, 'only Redis runs as a plain StatefulSet');
  assert.equal(containerEnv(find(objects, 'Deployment', name('gateway'))).get('WEB_ORIGIN')?.value, 'https://tickets.example.com');
});

test('a multi-broker plain Kafka lists every broker and voter and gets a PodDisruptionBudget', async () => {
  const objects = await render({ set: { 'kafka.replicas': 3, 'kafka.replicationFactor': 3, 'kafka.minInsyncReplicas': 2 } });
  const brokers = find(objects, 'ConfigMap', name('config')).data?.KAFKA_BROKERS?.split(',') ?? [];
  assert.equal(brokers.length, 3);
  const properties = find(objects, 'ConfigMap', name('kafka')).data?.['server.properties'] ?? '';
  assert.equal(properties.match(/^controller\.quorum\.voters=(.*)$/m)?.[1]?.split(',').length, 3);
  assert.match(properties, /^min\.insync\.replicas=2$/m);
  assert.equal(find(objects, 'PodDisruptionBudget', name('kafka')).spec.maxUnavailable, 1);
});

test('values the chart cannot honour fail with a message naming them', async () => {
  assert.match(await renderError({ set: { 'kafka.mode': 'zookeeper' } }), /kafka.mode must be statefulset, strimzi or external/);
  assert.match(await renderError({ set: { 'postgres.mode': 'external' } }), /postgres.mode=external needs postgres.external.url/);
  assert.match(await renderError({ set: { 'redis.mode': 'external' } }), /redis.mode=external needs/);
  assert.match(await renderError({ set: { 'kafka.replicationFactor': 3 } }), /replicationFactor cannot exceed kafka.replicas/);
  // values.schema.json is enforced by helm itself.
  assert.match(await renderError({ set: { 'gateway.replicaCount': 'two' } }), /replicaCount/);
});

test('kubeVersion: a cluster older than 1.30 is refused before anything is applied', async () => {
  const chart = await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8');
  assert.match(chart, /^kubeVersion: ">=1\.30\.0-0"$/m);
  const result = await run(helmBinary, ['template', 'tp', chartDir, '--kube-version', 'v1.29.9']);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /chart requires kubeVersion: >=1\.30\.0-0 which is incompatible with Kubernetes v1\.29\.9/);
  await mustRun(helmBinary, ['template', 'tp', chartDir, '--kube-version', 'v1.30.0']);
});

test('every object is namespaced to the release and labelled as part of it', async () => {
  const objects: K8sObject[] = await render({ namespace: 'box-office' });
  for (const object of objects) {
    assert.equal(object.metadata.namespace, 'box-office', `${object.kind}/${object.metadata.name}`);
    assert.equal(object.metadata.labels?.['app.kubernetes.io/instance'], 'tp', `${object.kind}/${object.metadata.name}`);
    assert.equal(object.metadata.labels?.['app.kubernetes.io/part-of'], 'ticketping', `${object.kind}/${object.metadata.name}`);
  }
});

test('upgrades do not restart the data stores: their pod templates carry no chart or app version', async () => {
  const objects = await render();
  const stores = byKind(objects, 'StatefulSet');
  assert.ok(stores.length >= 3, stores.map((s) => s.metadata.name).join(', '));
  for (const store of stores) {
    const labels = store.spec.template.metadata.labels as Record<string, string>;
    assert.equal(labels['helm.sh/chart'], undefined, store.metadata.name);
    assert.equal(labels['app.kubernetes.io/version'], undefined, store.metadata.name);
    for (const [key, value] of Object.entries(store.spec.selector.matchLabels as Record<string, string>)) assert.equal(labels[key], value);
  }
});

test.run();
