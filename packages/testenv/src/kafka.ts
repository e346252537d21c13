import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { log, portOpen, run, startProcess, waitFor } from './process.ts';
import { freePort } from '@ticketping/http/free-port';
import type { KillableServer } from './redis.ts';

export interface KafkaOptions {
  /** Fixed ports, to restart on the address clients already know; default free ones. */
  port?: number;
  controllerPort?: number;
}

/**
 * A single-node Kafka broker in KRaft mode (broker + controller in one JVM), from the jars that
 * bin/fetch-kafka.sh resolved into `kafkaHome`. Both listeners bind loopback only. Its log
 * directory is `<workDir>/kafka/data`: starting again with the same workDir and ports restarts the
 * same broker on the data it had (the directory is formatted only the first time).
 */
export async function startKafka(workDir: string, kafkaHome: string, options: KafkaOptions = {}): Promise<KillableServer> {
  const dir = path.join(workDir, 'kafka');
  await mkdir(path.join(dir, 'data'), { recursive: true });
  const port = options.port ?? await freePort();
  const controllerPort = options.controllerPort ?? await freePort();
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
  if (!existsSync(path.join(dir, 'data', 'meta.properties'))) {
    await run(java, ['-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', config]);
  }
  log(`starting Kafka broker (KRaft) on 127.0.0.1:${port}`);
  const child = startProcess(java, ['-Xms256m', '-Xmx768m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true',
    '-cp', classpath, 'kafka.Kafka', config], path.join(workDir, 'kafka.log'));
  await waitFor('Kafka broker', () => portOpen(port), 90_000, child);
  return {
    name: 'kafka', port, env: { TICKETPING_KAFKA_BROKERS: `127.0.0.1:${port}` }, stop: () => child.stopGracefully(),
    kill: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }),
  };
}
