/**
 * The plain Kafka StatefulSet's broker configuration, checked by Kafka itself: the server.properties
 * the chart renders, completed the way its start.sh completes it in the pod, is formatted by the real
 * StorageTool (the same jars the test environment's broker runs) with the chart's cluster id.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import { containerEnv, find, mustRun, render, repoRoot } from './chart.ts';

const pom = await readFile(path.join(repoRoot, 'packages/testenv/kafka/pom.xml'), 'utf8');
const version = pom.match(/<kafka\.version>(.+)<\/kafka\.version>/)?.[1] ?? '';
const kafkaHome = path.join(process.env.TICKETPING_CACHE ?? path.join(os.homedir(), '.cache/ticketping'), `kafka-${version}`);
const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin/java') : 'java';
let scratch = '';

test.before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'ticketping-kafka-'));
});

test.after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

test('the chart\'s image runs the Kafka version the test environment runs', async () => {
  assert.ok(existsSync(path.join(kafkaHome, 'libs')), `no Kafka jars in ${kafkaHome} (the test environment fetches them)`);
  const values = await readFile(path.join(repoRoot, 'charts/ticketping/values.yaml'), 'utf8');
  assert.match(values, new RegExp(`image: apache/kafka:${version.replace(/\./g, '\\.')}\\n`));
});

test('each broker of a three-node quorum formats its storage with the pod\'s start script and the rendered config', async () => {
  const objects = await render({ set: { 'kafka.replicas': 3, 'kafka.replicationFactor': 3, 'kafka.minInsyncReplicas': 2 } });
  const configMap = find(objects, 'ConfigMap', 'tp-ticketping-kafka').data ?? {};
  const env = containerEnv(find(objects, 'StatefulSet', 'tp-ticketping-kafka'));
  const clusterId = env.get('CLUSTER_ID')?.value ?? '';
  // Kafka's own scripts stand in for the image's: storage formatting runs the real StorageTool, the
  // broker start only records the config it was given.
  const bin = path.join(scratch, 'bin');
  await mkdir(bin);
  await writeFile(path.join(bin, 'kafka-storage.sh'), `exec ${java} -cp '${path.join(kafkaHome, 'libs/*')}' kafka.tools.StorageTool "$@"\n`, { mode: 0o755 });
  await writeFile(path.join(bin, 'kafka-server-start.sh'), 'cp "$1" "$STARTED_WITH"\n', { mode: 0o755 });
  for (const ordinal of [0, 1, 2]) {
    const pod = path.join(scratch, `pod-${ordinal}`);
    const data = path.join(pod, 'data');
    await mkdir(path.join(pod, 'config'), { recursive: true });
    await mkdir(path.join(pod, 'tmp'));
    // The pod's paths, moved into the scratch folder.
    await writeFile(path.join(pod, 'config/server.properties'), (configMap['server.properties'] ?? '').replace('/var/lib/kafka/data', data));
    const script = (configMap['start.sh'] ?? '').replaceAll('/etc/kafka-chart', path.join(pod, 'config'))
      .replaceAll('/opt/kafka/bin', bin).replaceAll('/tmp/server.properties', path.join(pod, 'tmp/server.properties'));
    const podEnv = { HOSTNAME: `tp-ticketping-kafka-${ordinal}`, CLUSTER_ID: clusterId, KAFKA_HEADLESS: env.get('KAFKA_HEADLESS')?.value ?? '',
      STARTED_WITH: path.join(pod, 'started-with.properties') };
    await mustRun('sh', ['-c', script], { env: podEnv });
    const started = await readFile(podEnv.STARTED_WITH, 'utf8');
    assert.match(started, new RegExp(`^node\\.id=${ordinal}$`, 'm'));
    assert.match(started, new RegExp(`^advertised\\.listeners=PLAINTEXT://tp-ticketping-kafka-${ordinal}\\.tp-ticketping-kafka-headless\\.tickets\\.svc:9092$`, 'm'));
    const meta = await readFile(path.join(data, 'logs/meta.properties'), 'utf8');
    assert.match(meta, new RegExp(`^cluster\\.id=${clusterId}$`, 'm'));
    assert.match(meta, new RegExp(`^node\\.id=${ordinal}$`, 'm'));
    // A restart finds its volume formatted and starts again (one pod is enough: a JVM start costs seconds).
    if (ordinal === 0) await mustRun('sh', ['-c', script], { env: podEnv });
  }
});

test.run();
