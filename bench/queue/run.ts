/**
 * The waiting room under an on-sale crowd: 100,000 fans in one line, then status polls on a fixed
 * schedule. Prints entries per second, poll latency percentiles at the target rate, poll
 * throughput against a bare Node http server answering the same JSON (same client, same run),
 * Redis commands per poll and Redis memory per waiting fan, for the queue service reached
 * directly, through the gateway, and in one hop (QUEUE_ONE_HOP: a fan's own poll with the access
 * token alone, the gateway's steps applied by the queue; the chart's `ingress.statusPollsToQueue`).
 *
 *   node_modules/.bin/node --conditions=source bench/queue/run.ts [--fans 100000] [--rate 3000]
 *       [--seconds 30] [--throughput-seconds 10] [--connections 64] [--target both|direct]
 *       [--pow-max-number 100] [--no-redis-commands]
 *
 * Every entry carries a solved proof-of-work, as every client's does. Its challenges are fetched
 * and solved before the entries are timed, at a low difficulty (--pow-max-number; 0 = off): the
 * server's verification costs the same whatever the difficulty (one SHA-256, one HMAC, one SET),
 * and solving 100,000 challenges at the browsers' default would only measure this load generator.
 *
 * Every server is its own process; this process is the load generator (bench/queue/load.ts).
 * Needs Redis: the test environment's (`npm run testenv up`) or REDIS_URL. The queues it makes
 * are PAUSED (the line stays 100,000 long) and dropped at the end.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createSigner, generateSigningKey, publicJwks } from '@ticketping/auth-tokens';
import { QUEUE_INDEX_KEY, queueKeys } from '@ticketping/redis';
import { entryBody, randomPrefix, testEnv, type ProofOfWorkChallenge } from '@ticketping/testing';
import { scripts } from '@ticketping/queue/lua';
import { closedLoop, describeLatency, openLoop, statuses, type Call, type LoadResult } from './load.ts';
import { SAMPLE_ENTRY, startChild, type Child } from './servers.ts';

const { values: args } = parseArgs({
  allowNegative: true,
  options: {
    fans: { type: 'string', default: '100000' },
    rate: { type: 'string', default: '3000' },
    seconds: { type: 'string', default: '30' },
    'throughput-seconds': { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    target: { type: 'string', default: 'both' },
    'pow-max-number': { type: 'string', default: '100' },
    // MONITOR on a Redis busy with other suites can crash ioredis' parser: off, the figure is skipped
    'redis-commands': { type: 'boolean', default: true },
  },
});
const fans = Number(args.fans);
const rate = Number(args.rate);
const seconds = Number(args.seconds);
const throughputSeconds = Number(args['throughput-seconds']);
const connections = Number(args.connections);
const powMaxNumber = Number(args['pow-max-number']);
const print = (line = '') => process.stdout.write(`${line}\n`);
const load = () => os.loadavg()[0]!.toFixed(1);
const perSecond = (r: LoadResult) => (r.completed / (r.wallMs / 1000)).toFixed(0);

const INTERNAL_TOKEN = 'bench-internal-token-0123456789';
const redisUrl = process.env.REDIS_URL ?? testEnv.redisUrl;
const redis = new Redis(redisUrl);
const withGateway = args.target === 'both' && existsSync(path.resolve(import.meta.dirname, '../../services/gateway/src/service.ts'));

const queueKey = await generateSigningKey('bench-queue');
const authKey = await generateSigningKey('bench-auth');
const authSigner = await createSigner('ticketping-auth', authKey);
// one machine plays every fan: per-IP limits and caps would throttle the crowd; per-user limits stay on
const edge = { AUTH_JWKS: JSON.stringify(publicJwks([authKey])), REDIS_KEY_PREFIX: `tp:${randomPrefix('benchgw')}`, RATE_LIMIT_PER_IP: '0', RATE_LIMIT_POLL_PER_IP: '0' };
const queue = await startChild('queue', {
  INTERNAL_TOKEN, REDIS_URL: redisUrl, LOG_LEVEL: 'warn', QUEUE_SIGNING_KEY: JSON.stringify(queueKey),
  QUEUE_ONE_HOP: String(withGateway), ...edge,
  // nobody is dropped for polling rarely: the bench polls random fans, not each on its schedule
  QUEUE_GRACE_SECONDS: '86400',
  // one machine plays every fan: its one address range would otherwise double the difficulty to the cap
  QUEUE_POW_MAX_NUMBER: String(powMaxNumber), QUEUE_POW_MAX_DOUBLINGS: '0', QUEUE_POW_TTL_SECONDS: '3600',
});
const bare = await startChild('bare', {});
const gateway = withGateway
  ? await startChild('gateway', {
    INTERNAL_TOKEN, REDIS_URL: redisUrl, LOG_LEVEL: 'warn', WEB_DIST: '/nonexistent', ...edge,
    QUEUE_URL: `http://127.0.0.1:${queue.port}`, QUEUE_JWKS: JSON.stringify(publicJwks([queueKey])), CAP_ENTRIES_PER_IP: '0', CAP_ENTRIES_PER_RANGE: '0',
  })
  : undefined;
const origin = (child: Child) => `http://127.0.0.1:${child.port}`;
const performances: string[] = [];

const direct = (userId: string) => ({ 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': userId, 'content-type': 'application/json' });

/**
 * A PAUSED queue, created through the queue's internal route. With its seats known (as many as
 * fans, so the line limit never refuses one), every waiting fan's poll carries the odds.
 */
async function newLine(): Promise<string> {
  const id = randomUUID();
  performances.push(id);
  const admin = { ...direct(randomUUID()), 'x-user-role': 'ADMIN' };
  for (const [method, route, body] of [['PUT', `/internal/v1/queues/${id}`, { capacity: 1000, admitPerMinute: 1000, totalSeats: fans, maxSeatsPerOrder: 4 }], ['PATCH', `/api/v1/queues/${id}`, { state: 'PAUSED' }]] as const) {
    const res = await fetch(`${origin(queue)}${route}`, { method, headers: admin, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  }
  return id;
}

/** Every fan's entry body: a challenge fetched `connections` at a time and solved (not timed). */
async function solvedEntries(target: Child, performanceId: string, headersOf: (i: number) => Record<string, string>): Promise<string[]> {
  const bodies: string[] = new Array(fans);
  if (powMaxNumber === 0) return bodies.fill('{}'); // off: entries carry no proof, as clients of such a performance may
  let next = 0;
  await Promise.all(Array.from({ length: connections }, async () => {
    for (let i = next++; i < fans; i = next++) {
      const res = await fetch(`${origin(target)}/api/v1/queues/${performanceId}/challenge`, { method: 'POST', headers: headersOf(i), body: '{}' });
      if (res.status !== 200) throw new Error(`challenge: ${res.status} ${await res.text()}`);
      bodies[i] = JSON.stringify(entryBody((await res.json()) as ProofOfWorkChallenge));
    }
  }));
  return bodies;
}

/** Every fan enters once, `connections` at a time, with the solved proof-of-work. */
async function enterAll(target: Child, performanceId: string, headersOf: (i: number) => Record<string, string>, bodies: string[]): Promise<LoadResult> {
  let next = 0;
  return closedLoop(origin(target), connections, () => {
    if (next >= fans) return undefined;
    const i = next++;
    return { method: 'POST', path: `/api/v1/queues/${performanceId}/entries`, headers: headersOf(i), body: bodies[i]! };
  });
}

const pollOf = (performanceId: string, headersOf: (i: number) => Record<string, string>) => (): Call =>
  ({ method: 'GET', path: `/api/v1/queues/${performanceId}/entries/me`, headers: headersOf(Math.floor(Math.random() * fans)) });

async function memoryPerFan(performanceId: string, usedBefore: number): Promise<string> {
  const keys = Object.values(queueKeys(performanceId));
  const sizes = await Promise.all(keys.map(async (key) => Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) || 0));
  const used = await usedMemory();
  const perKey = keys.map((key, i) => `${key.split(':').pop()} ${sizes[i]}`).filter((s) => !s.endsWith(' 0')).join(', ');
  return `${(sizes.reduce((a, b) => a + b, 0) / fans).toFixed(1)} bytes per waiting fan by MEMORY USAGE of the queue's keys (${perKey}); ` +
    `${((used - usedBefore) / fans).toFixed(1)} bytes by INFO used_memory before/after the entries`;
}

async function usedMemory(): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
}

const shaOf = (name: string) => createHash('sha1').update(scripts.find((s) => s.name === name)!.lua).digest('hex');

/** Polls at a modest rate under MONITOR; counts what each process sent Redis, by kind. */
async function commandsPerPoll(target: Child, poll: () => Call, count: number): Promise<string> {
  const watcher = new Redis(redisUrl);
  const monitor = await watcher.monitor();
  // under other suites' traffic on the shared Redis, ioredis may take a MONITOR line for a reply
  // and emit an error: the figure is then said to be missing instead of the whole run dying
  let lost: Error | undefined;
  for (const client of [watcher, monitor]) client.on('error', (error: Error) => { lost ??= error; });
  const tally = new Map<string, number>();
  const named = new Map([[queue.redisAddress, 'queue'], ...(gateway ? [[gateway.redisAddress, 'gateway'] as const] : [])]);
  const [entrySha, admitSha] = [shaOf('entry'), shaOf('admit')];
  // The poll path never opens a transaction; the admission loop's ticker-ring heartbeat is one
  // MULTI…EXEC per replica and tick, so everything inside one counts as tick work.
  const inTransaction = new Set<string>();
  monitor.on('monitor', (_time: string, commandArgs: string[], source: string) => {
    const who = named.get(source);
    if (!who) return; // Lua's own commands ("lua") and other clients
    const [command = '', sha = ''] = commandArgs.map((a) => a.toLowerCase());
    if (command === 'multi') inTransaction.add(source);
    const tick = inTransaction.has(source);
    if (command === 'exec' || command === 'discard') inTransaction.delete(source);
    const kind = command === 'evalsha' && sha === entrySha ? 'evalsha entry' : command === 'evalsha' && sha === admitSha ? 'evalsha admit (tick)' : command === 'smembers' || tick ? `${command} (tick)` : command;
    tally.set(`${who}: ${kind}`, (tally.get(`${who}: ${kind}`) ?? 0) + 1);
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const result = await openLoop(origin(target), 16, 500, count / 500, poll);
  await new Promise((resolve) => setTimeout(resolve, 200));
  monitor.disconnect();
  watcher.disconnect();
  if (lost) return `Redis commands per poll: not measured (MONITOR failed: ${lost.message.slice(0, 80)})`;
  const perPoll = [...tally].filter(([kind]) => !kind.includes('(tick)'));
  const total = perPoll.reduce((n, [, c]) => n + c, 0);
  return `${(total / result.completed).toFixed(3)} Redis commands per poll over ${result.completed} polls (MONITOR, by sender: ${JSON.stringify(Object.fromEntries(tally))}; the admission loop's per-tick commands are not per poll)`;
}

/** CPU µs per request of each process that served the requests (load on the machine does not skew it). */
async function cpuPer<T extends LoadResult>(servers: Child[], run: () => Promise<T>): Promise<{ result: T; cpu: string }> {
  const before = await Promise.all(servers.map((s) => s.cpuMicros()));
  const result = await run();
  const after = await Promise.all(servers.map((s) => s.cpuMicros()));
  const name = (s: Child) => (s === queue ? 'queue' : s === gateway ? 'gateway' : 'bare');
  return { result, cpu: servers.map((s, i) => `${name(s)} ${((after[i]! - before[i]!) / result.completed).toFixed(0)} µs`).join(' + ') };
}

async function phase(label: string, target: Child, performanceId: string, headersOf: (i: number) => Record<string, string>): Promise<() => Call> {
  const servers = target === queue ? [queue] : [target, queue];
  const usedBefore = await usedMemory();
  const solving = performance.now();
  const cpuBefore = await Promise.all(servers.map((s) => s.cpuMicros()));
  const bodies = await solvedEntries(target, performanceId, headersOf);
  const cpuAfter = await Promise.all(servers.map((s) => s.cpuMicros()));
  const challengeCpu = servers.map((s, i) => `${s === queue ? 'queue' : 'gateway'} ${((cpuAfter[i]! - cpuBefore[i]!) / fans).toFixed(0)} µs`).join(' + ');
  print(powMaxNumber === 0
    ? `${label} proof-of-work: off (entries carry none)`
    : `${label} proof-of-work: ${fans} challenges fetched and solved at maxnumber ${powMaxNumber} in ${((performance.now() - solving) / 1000).toFixed(1)} s, not part of the entries' figures; CPU per challenge ${challengeCpu}`);
  const { result: entered, cpu: entryCpu } = await cpuPer(servers, () => enterAll(target, performanceId, headersOf, bodies));
  print(`${label} entries: ${entered.completed} in ${(entered.wallMs / 1000).toFixed(1)} s → ${perSecond(entered)} entries/s, ${describeLatency(entered.latencies)}; answers ${statuses(entered)}; CPU per entry ${entryCpu}; load average ${load()}`);
  if (label === 'direct') print(`${label} memory: ${await memoryPerFan(performanceId, usedBefore)}`);
  const waiting = await redis.zcard(queueKeys(performanceId).waiting);
  print(`${label} line: ${waiting} fans waiting`);
  const poll = pollOf(performanceId, headersOf);
  await openLoop(origin(target), 128, rate, 2, poll); // warm-up, not measured
  const { result: polled, cpu: pollCpu } = await cpuPer(servers, () => openLoop(origin(target), 256, rate, seconds, poll));
  print(`${label} polls at ${rate}/s for ${seconds} s: ${polled.completed} done (${perSecond(polled)}/s), ${describeLatency(polled.latencies)}; answers ${statuses(polled)}; CPU per poll ${pollCpu}; load average ${load()}`);
  if (args['redis-commands']) print(`${label} ${await commandsPerPoll(target, poll, 2000)}`);
  return poll;
}

try {
  print(`queue bench: ${fans} fans, polls at ${rate}/s for ${seconds} s, ${connections} connections for entries and throughput`);
  print(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, Redis ${/redis_version:(\S+)/.exec(await redis.info('server'))?.[1]}, ${new Date().toISOString()}, load average ${load()}`);

  const directLine = await newLine();
  const directPoll = await phase('direct', queue, directLine, (i) => direct(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`));

  let gatewayPoll: (() => Call) | undefined;
  let oneHopPoll: (() => Call) | undefined;
  if (gateway) {
    const gatewayLine = await newLine();
    const tokens: string[] = [];
    for (let i = 0; i < fans; i++) {
      const subject = `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`;
      tokens.push(`Bearer ${(await authSigner.sign({ subject, audience: 'ticketping-api', expiresInSeconds: 3600, claims: { role: 'USER' } })).token}`);
    }
    const fan = (i: number) => ({ authorization: tokens[i]!, 'content-type': 'application/json' });
    gatewayPoll = await phase('gateway', gateway, gatewayLine, fan);
    // the same fans in the same line, each poll sent to the queue as the ingress would send it
    oneHopPoll = pollOf(gatewayLine, fan);
    // every fan polls once first, not measured: the queue's verified-token cache is then as warm as
    // the gateway's after the entries (a waiting fan polls every few seconds with the same token)
    let next = 0;
    await closedLoop(origin(queue), connections, () => (next < fans ? { method: 'GET', path: `/api/v1/queues/${gatewayLine}/entries/me`, headers: fan(next++) } : undefined));
    const { result: polled, cpu } = await cpuPer([queue], () => openLoop(origin(queue), 256, rate, seconds, oneHopPoll!));
    print(`one hop polls at ${rate}/s for ${seconds} s: ${polled.completed} done (${perSecond(polled)}/s), ${describeLatency(polled.latencies)}; answers ${statuses(polled)}; CPU per poll ${cpu}; load average ${load()}`);
    if (args['redis-commands']) print(`one hop ${await commandsPerPoll(queue, oneHopPoll, 2000)}`);
  } else {
    print('gateway: not measured (--target direct, or services/gateway not there yet)');
  }

  // throughput: the same client, back to back, against each server in turn
  const flat = (servers: Child[], poll: () => Call) => cpuPer(servers, () => {
    const until = performance.now() + throughputSeconds * 1000;
    return closedLoop(origin(servers[0]!), connections, () => (performance.now() < until ? poll() : undefined));
  });
  const baseline = await flat([bare], () => ({ method: 'GET', path: `/api/v1/queues/${directLine}/entries/me`, headers: {} }));
  const ratio = (r: LoadResult) => (Number(perSecond(r)) / Number(perSecond(baseline.result))).toFixed(2);
  print(`throughput, ${connections} connections, ${throughputSeconds} s each: bare node http ${perSecond(baseline.result)} req/s (${Buffer.byteLength(SAMPLE_ENTRY)}-byte JSON), CPU per request ${baseline.cpu}; load average ${load()}`);
  const viaQueue = await flat([queue], directPoll);
  print(`throughput: queue direct ${perSecond(viaQueue.result)} req/s = ${ratio(viaQueue.result)} × bare; answers ${statuses(viaQueue.result)}; CPU per poll ${viaQueue.cpu}; load average ${load()}`);
  if (gateway && gatewayPoll) {
    const viaGateway = await flat([gateway, queue], gatewayPoll);
    print(`throughput: through the gateway ${perSecond(viaGateway.result)} req/s = ${ratio(viaGateway.result)} × bare; answers ${statuses(viaGateway.result)}; CPU per poll ${viaGateway.cpu}; load average ${load()}`);
  }
  if (oneHopPoll) {
    const oneHop = await flat([queue], oneHopPoll);
    print(`throughput: one hop (the queue applies the edge) ${perSecond(oneHop.result)} req/s = ${ratio(oneHop.result)} × bare; answers ${statuses(oneHop.result)}; CPU per poll ${oneHop.cpu}; load average ${load()}`);
  }
} catch (error) {
  process.exitCode = 1;
  print(`FAILED: ${(error as Error).stack ?? String(error)}`);
} finally {
  for (const id of performances) {
    await redis.del(...Object.values(queueKeys(id)));
    await redis.srem(QUEUE_INDEX_KEY, id);
  }
  for (const child of [gateway, bare, queue]) await child?.stop();
  redis.disconnect();
}
