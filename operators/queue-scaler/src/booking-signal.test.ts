import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMetrics } from '@ticketping/metrics';
import {
  createBookingSignal, healthOf, mergeWindows, parseSnapshot, podTargets, podWindows, quantileMs, requestRateOf, restartedBetween, selectorString,
  windowBetween, type PodView, type Snapshot,
} from './booking-signal.ts';

/** A booking pod's registry: the same histogram (and buckets) every service exports. */
function bookingPod() {
  const metrics = createMetrics('booking', { defaultMetrics: false });
  return {
    serve(n: number, seconds: number, status = 200) {
      for (let i = 0; i < n; i++) metrics.httpRequestDuration.observe({ method: 'POST', route: '/api/v1/orders', status: String(status) }, seconds);
    },
    probe(n: number) {
      for (let i = 0; i < n; i++) metrics.httpRequestDuration.observe({ method: 'GET', route: '/readyz', status: '200' }, 3);
    },
    snapshot: async () => parseSnapshot(await metrics.registry.metrics()),
  };
}

const pod = (uid: string, over: Partial<PodView> = {}): PodView =>
  ({ uid, name: `booking-${uid}`, ip: `10.0.0.${uid.length}`, ready: true, ports: [{ name: 'http', containerPort: 8080 }, { name: 'management', containerPort: 9084 }], ...over });

test('the selector in the API\'s query syntax', () => {
  assert.is(selectorString({ matchLabels: { app: 'booking', tier: 'web' } }), 'app=booking,tier=web');
  assert.is(selectorString({
    matchExpressions: [
      { key: 'zone', operator: 'In', values: ['a', 'b'] }, { key: 'track', operator: 'NotIn', values: ['canary'] },
      { key: 'app', operator: 'Exists' }, { key: 'debug', operator: 'DoesNotExist' },
    ],
  }), 'zone in (a,b),track notin (canary),app,!debug');
});

test('every Ready pod is scraped on its named or numbered port; unready, addressless and portless pods are not', () => {
  const targets = podTargets([
    pod('a'), pod('bb', { ready: false }), pod('ccc', { ip: undefined }), pod('dddd', { ports: [{ containerPort: 8080 }] }), pod('e6', { ip: 'fd00::6' }),
  ], { port: 'management', path: '/metrics' });
  assert.equal([...targets.ready], [['a', 'http://10.0.0.1:9084/metrics'], ['e6', 'http://[fd00::6]:9084/metrics']]);
  assert.equal(targets.listed, ['a', 'bb', 'ccc', 'dddd', 'e6']);
  assert.equal(targets.withoutPort, ['booking-dddd']);
  assert.equal([...podTargets([pod('a')], { port: 9100, path: '/m' }).ready], [['a', 'http://10.0.0.1:9100/m']]);
});

test('a slow pod among fast ones: the merged window\'s p95 sees it, as each pod alone would not', async () => {
  const [fast, slow] = [bookingPod(), bookingPod()];
  const [fast0, slow0] = [await fast.snapshot(), await slow.snapshot()];
  fast.serve(95, 0.004);
  slow.serve(5, 0.004);
  slow.serve(20, 0.8); // one pod of two is slow: 20 of the window's 120 requests
  const windows = [windowBetween(fast0, await fast.snapshot()), windowBetween(slow0, await slow.snapshot())];
  assert.ok(quantileMs(windows[0]!, 0.95)! < 5, 'the fast pod alone looks healthy');
  const merged = mergeWindows(windows);
  assert.is(merged.count, 120);
  const p95 = quantileMs(merged, 0.95)!;
  assert.ok(p95 > 500 && p95 <= 1000, `merged p95 ${p95} ms`);
  assert.equal(healthOf(merged).ok && healthOf(merged), { ok: true, requests: 120, p95Ms: p95, errorRatio: 0 });
});

test('probes and scrapes are left out of every pod\'s window', async () => {
  const p = bookingPod();
  const before = await p.snapshot();
  p.probe(50);
  p.serve(10, 0.004);
  assert.is(windowBetween(before, await p.snapshot()).count, 10);
});

test('a restart is seen by a new start time, or by any counter going down', () => {
  const at = (count: number, startTime?: number): Snapshot => ({ buckets: new Map([[0.1, count], [Infinity, count]]), count, errors: 0, ...(startTime ? { startTime } : {}) });
  assert.not.ok(restartedBetween(at(10, 1), at(20, 1)));
  assert.ok(restartedBetween(at(10, 1), at(20, 2)), 'new process, counters already past the old ones');
  assert.ok(restartedBetween(at(10), at(4)));
  const lower: Snapshot = { buckets: new Map([[0.1, 3], [Infinity, 12]]), count: 12, errors: 0 };
  assert.ok(restartedBetween(at(10), lower), 'one bucket went down');
  assert.is(windowBetween(at(10, 1), at(4, 2)).count, 4, 'a restarted pod counts from zero');
});

test('per-pod windows: the first poll is a baseline, then each pod against its own last scrape; new pods from zero, gone pods forgotten', () => {
  const snap = (count: number): Snapshot => ({ buckets: new Map([[0.1, count], [Infinity, count]]), count, errors: 0 });
  const all = (...uids: string[]) => new Set(uids);
  const first = podWindows(undefined, ['a', 'b'], all('a', 'b'), new Map([['a', snap(1000)], ['b', snap(500)]]));
  assert.equal(first.windows, [], 'lifetime counters are not this window');
  // b restarted (counters down), c is new, a was not scrapable this time
  const second = podWindows(first.remember, ['a', 'b', 'c'], all('a', 'b', 'c'), new Map([['b', snap(30)], ['c', snap(7)]]));
  assert.equal(second.windows.map((w) => w.count), [30, 7]);
  assert.is(second.remember.snapshots.get('a')?.count, 1000, 'an unreadable pod keeps its last snapshot');
  const third = podWindows(second.remember, ['a', 'c'], all('a', 'c'), new Map([['a', snap(1100)], ['c', snap(9)]]));
  assert.equal(third.windows.map((w) => w.count), [100, 2], 'a\'s window spans the poll it missed');
  assert.equal([...third.remember.snapshots.keys()], ['a', 'c'], 'b is gone');
});

test('a pod Ready but unreadable with nothing to count from is a baseline when it answers, not its whole life', () => {
  const snap = (count: number): Snapshot => ({ buckets: new Map([[0.1, count], [Infinity, count]]), count, errors: 0 });
  // the first poll: a answers, b (Ready) does not, c is not Ready yet
  const first = podWindows(undefined, ['a', 'b', 'c'], new Set(['a', 'b']), new Map([['a', snap(10)]]));
  assert.equal([...first.remember.unknown], ['b']);
  const second = podWindows(first.remember, ['a', 'b', 'c'], new Set(['a', 'b', 'c']), new Map([['a', snap(20)], ['b', snap(5000)], ['c', snap(6)]]));
  assert.equal(second.windows.map((w) => w.count), [10, 6], 'b\'s 5000 are history; c became Ready since, so all it served is new');
  const third = podWindows(second.remember, ['a', 'b', 'c'], new Set(['a', 'b', 'c']), new Map([['a', snap(30)], ['b', snap(5040)], ['c', snap(9)]]));
  assert.equal(third.windows.map((w) => w.count), [10, 40, 3]);
});

function fakeCluster(pods: PodView[], answers: Map<string, Snapshot | Error>) {
  return createBookingSignal({
    listPods: async () => pods,
    scrape: async (url) => {
      const answer = answers.get(url);
      if (!answer || answer instanceof Error) throw answer ?? new Error(`${url} refused`);
      return answer;
    },
  });
}

test('the signal: more than half the Ready pods unreadable is an unreadable booking; fewer are left out and counted', async () => {
  const snap = (count: number, slow = 0): Snapshot => ({ buckets: new Map([[0.1, count - slow], [1, count], [Infinity, count]]), count, errors: 0 });
  const pods = [pod('a'), pod('bb'), pod('ccc')];
  const answers = new Map<string, Snapshot | Error>([
    ['http://10.0.0.1:9084/metrics', snap(100)], ['http://10.0.0.2:9084/metrics', snap(100)], ['http://10.0.0.3:9084/metrics', snap(100)],
  ]);
  const signal = fakeCluster(pods, answers);
  const source = { port: 'management', path: '/metrics' };
  const baseline = await signal.fromPods('ns/qs', 'ns', source, { matchLabels: { app: 'booking' } });
  assert.equal([baseline.pods, baseline.unreadable, baseline.health.ok && baseline.health.requests], [3, 0, 0]);

  answers.set('http://10.0.0.1:9084/metrics', snap(200));
  answers.set('http://10.0.0.2:9084/metrics', snap(150, 50));
  answers.set('http://10.0.0.3:9084/metrics', new Error('timeout'));
  const one = await signal.fromPods('ns/qs', 'ns', source, { matchLabels: { app: 'booking' } });
  assert.equal([one.pods, one.unreadable], [2, 1]);
  assert.ok(one.health.ok && one.health.requests === 150 && (one.health.p95Ms ?? 0) > 100, JSON.stringify(one.health));

  answers.set('http://10.0.0.2:9084/metrics', new Error('timeout'));
  const two = await signal.fromPods('ns/qs', 'ns', source, { matchLabels: { app: 'booking' } });
  assert.ok(!two.health.ok && /2 of 3 booking pods unreadable \(timeout\)/.test(two.health.error), JSON.stringify(two.health));

  const none = await fakeCluster([pod('a', { ready: false })], answers).fromPods('ns/qs', 'ns', source, { matchLabels: { app: 'booking' } });
  assert.ok(!none.health.ok && /no Ready pod matches app=booking/.test(none.health.error));
  const noSelector = await signal.fromPods('ns/other', 'ns', source, undefined);
  assert.ok(!noSelector.health.ok);
});

test('one URL (standalone) is one pod: baseline first, then windows; unreadable is a failed reading', async () => {
  const p = bookingPod();
  p.serve(1000, 2); // before the operator looked: not this window
  const url = 'http://127.0.0.1:9/metrics';
  const answers = new Map<string, Snapshot | Error>([[url, await p.snapshot()]]);
  const signal = fakeCluster([], answers);
  assert.equal((await signal.fromUrl('k', url)).health, { ok: true, requests: 0, p95Ms: undefined, errorRatio: 0 });
  p.serve(40, 0.004);
  answers.set(url, await p.snapshot());
  const reading = await signal.fromUrl('k', url);
  assert.ok(reading.health.ok && reading.health.requests === 40 && reading.health.p95Ms! < 5);
  answers.set(url, new Error('connection refused'));
  assert.equal((await signal.fromUrl('k', url)).health, { ok: false, error: 'connection refused' });
});

test('a route prefix keeps only those routes (the queue tier\'s status polls among its other requests)', async () => {
  const metrics = createMetrics('queue', { defaultMetrics: false });
  const observe = (route: string, n: number) => { for (let i = 0; i < n; i++) metrics.httpRequestDuration.observe({ method: 'GET', route, status: '200' }, 0.002); };
  observe('/api/v1/queues/:performanceId/entries/me', 30);
  observe('/internal/v1/status-polls', 5);
  observe('/api/v1/queues/:performanceId', 7);
  observe('/readyz', 100);
  const text = await metrics.registry.metrics();
  assert.is(parseSnapshot(text).count, 42);
  assert.is(parseSnapshot(text, '/api/v1/queues/:performanceId/entries').count, 30);
  assert.is(parseSnapshot(text, '/internal/v1/status-polls').count, 5);
});

test('request rate: each pod over its own window; a restart counts from its start time; an untimed window over the poll interval', () => {
  const at = (count: number, atMs: number, startTime?: number): Snapshot => ({ buckets: new Map([[Infinity, count]]), count, errors: 0, atMs, ...(startTime ? { startTime } : {}) });
  // a: 200 requests in 10 s; b was scraped late (20 s window) and served 200: 10/s, not 20/s
  const a = windowBetween(at(1000, 100_000), at(1200, 110_000));
  const b = windowBetween(at(500, 90_000), at(700, 110_000));
  assert.equal([a.seconds, b.seconds], [10, 20]);
  assert.is(requestRateOf([a, b], undefined), 30);
  // c restarted 4 s before the scrape and served 80 since: 20/s
  const c = windowBetween(at(900, 100_000, 50), at(80, 110_000, 106));
  assert.is(c.seconds, 4);
  assert.is(requestRateOf([c], undefined), 20);
  // d is new and says no start time: over the poll interval, or no rate at all
  const d = windowBetween(undefined, at(50, 110_000));
  assert.is(d.seconds, undefined);
  assert.is(requestRateOf([d], 5), 10);
  assert.is(requestRateOf([d], undefined), undefined);
  assert.is(requestRateOf([], 5), undefined);
});

test('rateFromPods: a baseline first, then requests per second summed over the Ready pods; too many unreadable is no reading', async () => {
  let now = 1_000_000;
  const answers = new Map<string, Snapshot | Error>();
  const set = (url: string, count: number) => answers.set(url, { buckets: new Map([[Infinity, count]]), count, errors: 0, atMs: now });
  const signal = createBookingSignal({
    listPods: async () => [pod('a'), pod('bb'), pod('ccc', { ready: false })],
    scrape: async (url) => { const x = answers.get(url); if (!x || x instanceof Error) throw x ?? new Error('refused'); return x; },
    clock: { now: () => now },
  });
  const source = { port: 'management', path: '/metrics' };
  const selector = { matchLabels: { app: 'queue' } };
  set('http://10.0.0.1:9084/metrics', 100);
  set('http://10.0.0.2:9084/metrics', 5000);
  const first = await signal.rateFromPods('ns/queue', 'ns', source, selector);
  assert.ok(!first.ok && /a rate needs a second/.test(first.error), JSON.stringify(first));
  now += 10_000;
  set('http://10.0.0.1:9084/metrics', 600);
  set('http://10.0.0.2:9084/metrics', 6500);
  const second = await signal.rateFromPods('ns/queue', 'ns', source, selector);
  assert.equal(second, { ok: true, value: 200, pods: 2, unreadable: 0 });
  now += 10_000;
  answers.set('http://10.0.0.1:9084/metrics', new Error('timeout'));
  answers.set('http://10.0.0.2:9084/metrics', new Error('timeout'));
  const third = await signal.rateFromPods('ns/queue', 'ns', source, selector);
  assert.ok(!third.ok && /2 of 2 pods unreadable/.test(third.error), JSON.stringify(third));
  const noSelector = await signal.rateFromPods('ns/other', 'ns', source, undefined);
  assert.ok(!noSelector.ok && /no selector/.test(noSelector.error));
});

test.run();
