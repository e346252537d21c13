/**
 * QueueScalers reading a Redis Sentinel set: a real master, a replica and a redis-sentinel (the
 * same redis-server binary with --sentinel) on loopback. One QueueScaler uses the operator's default
 * connection (REDIS_SENTINELS + REDIS_SENTINEL_MASTER), one a named connection (`spec.redisRef`).
 * After a failover, and with the old master gone, the operator finds the new master through the
 * sentinel and keeps scaling on what is written there.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { queueKeys } from '@ticketping/redis';
import { eventually, randomPrefix } from '@ticketping/testing';
import {
  applyCrd, clients, createDeployment, createNamespace, createQueueScaler, deleteNamespace, freePort, operatorEnv,
  readQueueScaler, replicasOf, startOperator, type OperatorProcess,
} from './support.ts';

const MASTER_NAME = 'tp-rooms';
const c = clients();
const dir = mkdtempSync(path.join(tmpdir(), 'qs-sentinel-'));
const servers = new Map<string, ChildProcess>();
let masterPort = 0;
let replicaPort = 0;
let sentinelPort = 0;
let ns = '';
let operator: OperatorProcess;
const defaultQueue = randomPrefix('perf');
const namedQueue = randomPrefix('perf');
const fast = { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 10, periodSeconds: 1 }] };

const cli = (port: number, ...args: string[]) => spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).stdout.trim();
const masterAddress = () => cli(sentinelPort, 'SENTINEL', 'get-master-addr-by-name', MASTER_NAME).split('\n').map((l) => l.trim());

function startRedis(name: string, args: string[]): void {
  servers.set(name, spawn('redis-server', args, { stdio: 'ignore' }));
}

async function setWaiting(port: number, performanceId: string, waiting: number): Promise<void> {
  const redis = new Redis(port, '127.0.0.1');
  try {
    await redis.hset(queueKeys(performanceId).stats, { waiting, active: 0 });
  } finally {
    redis.disconnect();
  }
}

test.before(async () => {
  [masterPort, replicaPort, sentinelPort] = [await freePort(), await freePort(), await freePort()];
  const common = ['--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  startRedis('master', ['--port', String(masterPort), ...common]);
  startRedis('replica', ['--port', String(replicaPort), '--replicaof', '127.0.0.1', String(masterPort), ...common]);
  // A sentinel rewrites its configuration file, so it gets one of its own.
  const config = path.join(dir, 'sentinel.conf');
  writeFileSync(config, [
    `port ${sentinelPort}`, 'bind 127.0.0.1', `dir ${dir}`,
    `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} 1`,
    `sentinel down-after-milliseconds ${MASTER_NAME} 2000`,
    `sentinel failover-timeout ${MASTER_NAME} 20000`, '',
  ].join('\n'));
  startRedis('sentinel', [config, '--sentinel']);
  // A loaded machine starts three servers slowly, and a sentinel learns of the replica from the master's INFO.
  await eventually(() => cli(replicaPort, 'INFO', 'replication').includes('master_link_status:up'), 30_000, 100);
  await eventually(() => cli(sentinelPort, 'SENTINEL', 'replicas', MASTER_NAME).includes(String(replicaPort)), 30_000, 200);

  await setWaiting(masterPort, defaultQueue, 40);
  await setWaiting(masterPort, namedQueue, 20);

  await applyCrd(c);
  ns = await createNamespace(c, 'qs-sentinel');
  for (const name of ['booking', 'queue']) await createDeployment(c, ns, name);
  await createQueueScaler(c, ns, 'booking', {
    scaleTargetRef: { name: 'booking' }, source: { metric: 'waiting', performanceId: defaultQueue }, targetPerReplica: 10,
    pollingIntervalSeconds: 1, behavior: { scaleUp: fast, scaleDown: fast },
  });
  await createQueueScaler(c, ns, 'queue', {
    scaleTargetRef: { name: 'queue' }, redisRef: 'sales-sentinel', source: { metric: 'waiting', performanceId: namedQueue }, targetPerReplica: 10,
    pollingIntervalSeconds: 1, behavior: { scaleUp: fast, scaleDown: fast },
  });
  const env = { ...operatorEnv(ns) };
  delete env.REDIS_URL;
  operator = await startOperator('sentinel-a', {
    ...env,
    REDIS_SENTINELS: `127.0.0.1:${sentinelPort}`,
    REDIS_SENTINEL_MASTER: MASTER_NAME,
    REDIS_CONNECTIONS: JSON.stringify({ 'sales-sentinel': { sentinel: { masterName: MASTER_NAME, sentinels: [`127.0.0.1:${sentinelPort}`] } } }),
  });
});

test.after(async () => {
  await operator?.stop();
  for (const server of servers.values()) server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  await deleteNamespace(c, ns);
});

test('QueueScalers on the default Sentinel connection and on a named one read the master the sentinel names', async () => {
  assert.equal(masterAddress(), ['127.0.0.1', String(masterPort)]);
  await eventually(async () => (await replicasOf(c, ns, 'booking')) === 4, 20_000, 100);
  await eventually(async () => (await replicasOf(c, ns, 'queue')) === 2, 20_000, 100);
  // The status is written after the scale: wait for it rather than race it.
  await eventually(async () => (await readQueueScaler(c, ns, 'booking')).status?.lastMetricValue === 40, 10_000, 100);
});

test('after a failover, with the old master gone, both follow the new master', async () => {
  assert.is(cli(sentinelPort, 'SENTINEL', 'failover', MASTER_NAME), 'OK');
  await eventually(() => masterAddress()[1] === String(replicaPort), 60_000, 200);
  await eventually(() => cli(replicaPort, 'ROLE').startsWith('master'), 60_000, 200);
  servers.get('master')?.kill('SIGKILL');

  // Only the new master has these figures: the operator must have reconnected to it.
  await setWaiting(replicaPort, defaultQueue, 70);
  await setWaiting(replicaPort, namedQueue, 50);
  await eventually(async () => (await replicasOf(c, ns, 'booking')) === 7, 60_000, 200);
  await eventually(async () => (await replicasOf(c, ns, 'queue')) === 5, 60_000, 200);
});

test.run();
