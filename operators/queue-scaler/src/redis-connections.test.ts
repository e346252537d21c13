import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultRedisConnection, readConfig } from './config.ts';
import { RedisConnectionsSetting } from './redis-connections.ts';

const sentinel = { masterName: 'rooms', sentinels: ['sentinel-0.redis:26379', 'sentinel-1.redis:26379'] };

test('a named connection is a URL, a Cluster or a Sentinel set, exactly one of them', () => {
  const parsed = RedisConnectionsSetting.parse({
    single: { url: 'redis://redis:6379' }, cluster: { clusterNodes: ['r0:6379'] }, sales: { sentinel: { ...sentinel, password: 'pw' } },
  });
  assert.equal(parsed.sales, { sentinel: { ...sentinel, password: 'pw' } });
  for (const wrong of [
    { url: 'redis://redis:6379', sentinel },
    {},
    { sentinel: { masterName: 'rooms', sentinels: [] } },
    { sentinel: { masterName: 'rooms', sentinels: ['no-port'] } },
    { sentinel: { sentinels: ['s:26379'] } },
    { sentinel: { ...sentinel, db: 2 } },
  ]) {
    assert.is(RedisConnectionsSetting.safeParse({ sales: wrong }).success, false, JSON.stringify(wrong));
  }
});

test('the default connection: a Cluster, else a Sentinel set, else the URL; sentinels need the master name', () => {
  const base = { KUBECONFIG: '/dev/null' };
  assert.equal(defaultRedisConnection(readConfig({ ...base, REDIS_SENTINELS: 's0:26379,s1:26379', REDIS_SENTINEL_MASTER: 'rooms' })),
    { sentinel: { masterName: 'rooms', sentinels: ['s0:26379', 's1:26379'] } });
  assert.equal(defaultRedisConnection(readConfig({ ...base, REDIS_URL: 'redis://r:6379' })), { url: 'redis://r:6379' });
  assert.equal(defaultRedisConnection(readConfig({ ...base, REDIS_CLUSTER_NODES: 'r0:6379', REDIS_URL: 'redis://r:6379' })), { clusterNodes: ['r0:6379'] });
  assert.throws(() => readConfig({ ...base, REDIS_SENTINELS: 's0:26379' }), /REDIS_SENTINEL_MASTER/);
  assert.throws(() => readConfig({ ...base, REDIS_SENTINELS: 's0', REDIS_SENTINEL_MASTER: 'rooms' }), /host:port/);
  assert.throws(() => readConfig(base), /REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS/);
});

test.run();
