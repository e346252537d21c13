import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort, log, portOpen, run, startProcess, waitFor, type Server } from './process.ts';

/**
 * A single-node Kafka broker in KRaft mode (broker + controller in one JVM), from the jars that
 * bin/fetch-kafka.sh resolved into `kafkaHome`. Both listeners bind loopback only.
 */
export async function startKafka(workDir: string, kafkaHome: string): Promise<Server> {
  const dir = path.join(workDir, 'kafka');
  await mkdir(path.join(dir, 'data'), { recursive: true });
  const [port, controllerPort] = [await freePort(), await freePort()];
  const config = path.join(dir, 'server.properties');
  await writeFile(config, [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${path.join(dir, 'data')}`,
    'num.partitions=3',
    'auto.create.topics.enable=true',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'group.initial.rebalance.delay.ms=0',
    'log.flush.interval.messages=1000000',
    '',
  ].join('\n'));
  const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const classpath = path.join(kafkaHome, 'libs', '*');
  const clusterId = randomBytes(16).toString('base64url');
  await run(java, ['-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', config]);
  log(`starting Kafka broker (KRaft) on 127.0.0.1:${port}`);
  const child = startProcess(java, ['-Xms256m', '-Xmx768m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true',
    '-cp', classpath, 'kafka.Kafka', config], path.join(workDir, 'kafka.log'));
  await waitFor('Kafka broker', () => portOpen(port), 90_000, child);
  return { name: 'kafka', env: { TICKETPING_KAFKA_BROKERS: `127.0.0.1:${port}` }, stop: () => child.stopGracefully() };
}
