/**
 * The floor of the poll path's shape: what status polls through a proxy reach when the proxy and
 * the queue do nothing but forward and run the status script (no express, no token check, no rate
 * limits, no request ids, logs or metrics), against a bare Node http server, with run.ts's client
 * (64 keep-alive connections back to back). Two shapes: each poll forwarded on its own, and the
 * polls of one event-loop turn sent in one request, as the gateway does. The real gateway and
 * queue cannot beat their shape's ratio on the same machine; how close they come is what their
 * own code costs.
 *
 *   node_modules/.bin/node --conditions=source bench/queue/floor.ts [--fans 20000] [--seconds 8] [--rounds 2]
 *
 * Needs Redis: the test environment's (`npm run testenv up`) or REDIS_URL. Each server is its own
 * process (servers.ts); the queue it makes is PAUSED and dropped at the end.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { testEnv } from '@ticketping/testing';
import { closedLoop, type LoadResult } from './load.ts';
import { queueKeys, scriptArgs, scriptKeys } from '@ticketping/redis';
import { createQueue } from '@ticketping/queue/lua';
import { entryCall, luaOf, queueTuning, startChild, type Child } from './servers.ts';

const { values } = parseArgs({ options: { fans: { type: 'string', default: '20000' }, seconds: { type: 'string', default: '8' }, rounds: { type: 'string', default: '2' } } });
const seconds = Number(values.seconds);
const redisUrl = process.env.REDIS_URL ?? testEnv.redisUrl;
const redis = new Redis(redisUrl);
const performanceId = randomUUID();
const keys = queueKeys(performanceId);
const perSecond = (result: LoadResult) => result.completed / (result.wallMs / 1000);

/** Back to back for `forSeconds`, as run.ts measures throughput. */
function load(child: Child, forSeconds: number): Promise<LoadResult> {
  const until = performance.now() + forSeconds * 1000;
  const poll = { method: 'GET' as const, path: `/api/v1/queues/${performanceId}/entries/me`, headers: {} };
  return closedLoop(`http://127.0.0.1:${child.port}`, 64, () => (performance.now() < until ? poll : undefined));
}

const children: Child[] = [];
try {
  const queue = { capacity: 1, admitPerMinute: 60, opensAtMs: 0, closesAtMs: 0, totalSeats: 0, drawSeed: 'seed', drawCommitment: 'commitment', requireVerifiedEmail: 0, maxSeatsPerOrder: 0 };
  await redis.eval(luaOf('createQueue'), createQueue.numberOfKeys, ...scriptKeys(createQueue, keys), ...scriptArgs(createQueue, queue));
  await redis.hset(keys.config, 'state', 'PAUSED'); // the line stays as long as it is
  const tuning = await queueTuning();
  const fans = Array.from({ length: Number(values.fans) }, () => randomUUID());
  for (let i = 0; i < fans.length; i += 500) {
    await Promise.all(fans.slice(i, i + 500).map((fan) => redis.eval(luaOf('entry'), ...entryCall(performanceId, tuning, fan, 'enter'))));
  }
  const bare = await startChild('bare', {});
  children.push(bare);
  const shapes: { label: string; proxy: Child; queue: Child }[] = [];
  for (const [label, queueRole, proxyRole] of [['each poll forwarded', 'floor-queue', 'floor-proxy'], ['polls batched per turn', 'floor-batch-queue', 'floor-batch-proxy']] as const) {
    const queue = await startChild(queueRole, { REDIS_URL: redisUrl, FLOOR_PERFORMANCE: performanceId });
    const proxy = await startChild(proxyRole, { FLOOR_UPSTREAM: String(queue.port) });
    children.push(proxy, queue);
    shapes.push({ label, proxy, queue });
  }

  for (let round = 0; round < Number(values.rounds); round++) {
    await load(bare, 1); // warm-up, unmeasured
    const baseline = perSecond(await load(bare, seconds));
    const line = [`bare node http ${baseline.toFixed(0)} req/s`];
    for (const { label, proxy, queue } of shapes) {
      await load(proxy, 1);
      const before = await Promise.all([proxy.cpuMicros(), queue.cpuMicros()]);
      const result = await load(proxy, seconds);
      const after = await Promise.all([proxy.cpuMicros(), queue.cpuMicros()]);
      const [proxyMicros, queueMicros] = after.map((a, i) => ((a - before[i]!) / result.completed).toFixed(0));
      const through = perSecond(result);
      line.push(`${label}: ${through.toFixed(0)}/s = ${(through / baseline).toFixed(2)} × bare, CPU per poll proxy ${proxyMicros} µs + queue ${queueMicros} µs`);
    }
    process.stdout.write(`${line.join('; ')}\n`);
  }
} catch (error) {
  process.exitCode = 1;
  process.stdout.write(`FAILED: ${(error as Error).stack ?? String(error)}\n`);
} finally {
  for (const child of children) await child.stop();
  await redis.del(...Object.values(keys));
  redis.disconnect();
}
