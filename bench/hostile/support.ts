/**
 * What every hostile suite needs: one standalone platform per file, a raw HTTP helper that never
 * throws on a bad answer, fans and an admitted fan, and the problem+json check.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import * as assert from 'uvu/assert';
import { entryBody, eventually, type ProofOfWorkChallenge } from '@ticketping/testing';
import { startStandalone, type Standalone } from '@ticketping/standalone';

/** The gateway promises never to hang: its own upstream deadline is 10 s. */
export const REQUEST_DEADLINE_MS = 15_000;
const STOP_DEADLINE_MS = 20_000;

export interface Reply { status: number; headers: Headers; text: string; body: Record<string, unknown> }

export interface RequestOptions {
  token?: string;
  /** A JSON value, or a raw string sent as is (malformed JSON, wrong types). */
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface Platform {
  standalone: Standalone;
  dataDir: string;
  api(method: string, route: string, options?: RequestOptions): Promise<Reply>;
  stop(): Promise<void>;
}

export async function startPlatform(name: string): Promise<Platform> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `hostile-${name}-`));
  const standalone = await startStandalone({ port: 0, dataDir, seedDemo: false, logLevel: 'warn' });
  async function api(method: string, route: string, options: RequestOptions = {}): Promise<Reply> {
    const hasBody = options.body !== undefined || options.rawBody !== undefined;
    const res = await fetch(`${standalone.url}${route.startsWith('/api/') ? '' : '/api/v1'}${route}`, {
      method,
      headers: {
        ...(hasBody ? { 'content-type': 'application/json' } : {}),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      ...(hasBody ? { body: options.rawBody ?? JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(REQUEST_DEADLINE_MS), // a hung request fails the test instead of hanging it
    });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch { /* not JSON: callers check the content type */ }
    return { status: res.status, headers: res.headers, text, body };
  }
  return {
    standalone, dataDir, api,
    async stop() {
      // A wedged embedded Postgres can keep stop() waiting forever (see the note on pglite-socket in
      // the report); bound it so the suite still reports, and fail the file rather than hang.
      const stopped = await Promise.race([standalone.stop().then(() => true), new Promise<false>((r) => setTimeout(r, STOP_DEADLINE_MS, false))]);
      rmSync(dataDir, { recursive: true, force: true });
      if (!stopped) {
        process.exitCode = 1;
        process.stderr.write(`hostile: the platform did not stop within ${STOP_DEADLINE_MS / 1000} s; exiting\n`);
        // The wedged database still holds the event loop: end the process by force if it has not ended in 2 s.
        setTimeout(() => process.kill(process.pid, 'SIGKILL'), 2000).unref();
      }
    },
  };
}

/** An error answer as docs/openapi.yaml promises it: RFC 9457 with a stable code. */
export function problemDefects(reply: Reply): string[] {
  const defects: string[] = [];
  if (reply.status >= 500) defects.push(`a ${reply.status}`);
  if (reply.status < 400) return defects;
  const type = reply.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) defects.push(`content-type ${type || '(none)'}`);
  for (const field of ['type', 'title', 'status', 'detail', 'code']) if (!(field in reply.body)) defects.push(`no ${field}`);
  if (reply.body.status !== undefined && reply.body.status !== reply.status) defects.push(`body status ${String(reply.body.status)} ≠ ${reply.status}`);
  return defects;
}

export function assertProblem(reply: Reply, status: number, code?: string): void {
  assert.is(reply.status, status, reply.text);
  assert.equal(problemDefects(reply), [], reply.text);
  if (code) assert.is(reply.body.code, code, reply.text);
}

export interface Fan { email: string; password: string; accessToken: string; refreshToken: string; id: string }

let fansSignedUp = 0;
/**
 * A client address of its own network for each fan, as the ingress would forward it (loopback is
 * a trusted proxy in standalone): the gateway caps sign-ups per address and per /24, and these
 * suites play many fans from one machine.
 */
export const fanAddress = () => {
  const n = ++fansSignedUp;
  return `10.${(n >> 8) & 255}.${n & 255}.1`;
};

/**
 * Sends again while auth answers 503 with Retry-After (password hashing at its budget: nothing was
 * done), as the web client does; at most `tries` times.
 */
export async function retryWhenBusy(send: () => Promise<Reply>, tries = 30): Promise<Reply> {
  let reply = await send();
  for (let i = 1; i < tries && reply.status === 503 && reply.headers.get('retry-after'); i++) {
    await new Promise((resolve) => setTimeout(resolve, Number(reply.headers.get('retry-after')) * 1000 + Math.random() * 500));
    reply = await send();
  }
  return reply;
}

/**
 * A fan with an account and a login. `verifiedBy` (an admin's access token): the address is
 * confirmed before the login, as if the fan had followed the mail's link, so the access token
 * carries it; benches use this instead of reading each fan's mail.
 */
export async function signUp(platform: Platform, name: string, options: { verifiedBy?: string } = {}): Promise<Fan> {
  const email = `${name}-${randomUUID().slice(0, 8)}@fans.test`;
  const password = 'correct horse battery';
  const from = { 'x-forwarded-for': fanAddress() };
  const created = await retryWhenBusy(() => platform.api('POST', '/users', { body: { email, password, nickname: name }, headers: from }));
  assert.is(created.status, 201, created.text);
  if (options.verifiedBy) await confirmEmail(platform, options.verifiedBy, created.body.id as string);
  const login = await retryWhenBusy(() => platform.api('POST', '/auth/login', { body: { email, password }, headers: from }));
  assert.is(login.status, 200, login.text);
  return { email, password, id: created.body.id as string, accessToken: login.body.accessToken as string, refreshToken: login.body.refreshToken as string };
}

/** An administrator confirms the account's address (POST /users/{id}/verification). */
export async function confirmEmail(platform: Platform, admin: string, userId: string): Promise<void> {
  const confirmed = await platform.api('POST', `/users/${userId}/verification`, { token: admin });
  assert.is(confirmed.status, 200, confirmed.text);
}

export async function adminToken(platform: Platform): Promise<string> {
  const login = await retryWhenBusy(() => platform.api('POST', '/auth/login', { body: { email: platform.standalone.adminEmail, password: platform.standalone.adminPassword } }));
  assert.is(login.status, 200, login.text);
  return login.body.accessToken as string;
}

const DAY = 24 * 3600_000;

/** A small on-sale performance (one schedule of 40 seats) with a roomy waiting room. */
export async function createPerformance(platform: Platform, admin: string): Promise<{ performanceId: string; scheduleId: string; seatIds: string[] }> {
  const now = Date.now();
  const created = await platform.api('POST', '/performances', {
    token: admin,
    body: {
      title: `Hostile ${randomUUID().slice(0, 6)}`, venue: 'Test Hall',
      bookingOpensAt: new Date(now - 60_000).toISOString(), bookingClosesAt: new Date(now + 30 * DAY).toISOString(),
      maxSeatsPerOrder: 4, schedules: [{ startsAt: new Date(now + 14 * DAY).toISOString() }],
      sections: [{ name: 'Floor', rows: 4, seatsPerRow: 10, grade: 'VIP', price: 15000, currency: 'USD' }],
      queue: { capacity: 50, admitPerMinute: 6000 },
    },
  });
  assert.is(created.status, 201, created.text);
  const scheduleId = (created.body.schedules as Array<{ id: string }>)[0]!.id;
  const seats = await platform.api('GET', `/schedules/${scheduleId}/seats`);
  return { performanceId: created.body.id as string, scheduleId, seatIds: (seats.body.items as Array<{ id: string }>).map((s) => s.id) };
}

/** Enters the waiting room and polls until admitted; returns the admission token. */
/** Enters a waiting room the documented way: a proof-of-work challenge, solved, sent with the entry. */
export async function enterQueue(platform: Platform, performanceId: string, options: { token: string; headers?: Record<string, string> }): Promise<Reply> {
  const challenge = await platform.api('POST', `/queues/${performanceId}/challenge`, { ...options, body: {} });
  if (challenge.status !== 200) return challenge;
  return platform.api('POST', `/queues/${performanceId}/entries`, { ...options, body: entryBody(challenge.body as unknown as ProofOfWorkChallenge) });
}

export async function admit(platform: Platform, fan: Fan, performanceId: string): Promise<string> {
  await eventually(async () => {
    const entry = await enterQueue(platform, performanceId, { token: fan.accessToken });
    return entry.status === 200 ? entry : undefined; // the queue learns of the performance from catalog's event
  }, 10_000, 100);
  const admitted = await eventually(async () => {
    const entry = await platform.api('GET', `/queues/${performanceId}/entries/me`, { token: fan.accessToken });
    return entry.body.status === 'ADMITTED' ? entry.body : undefined;
  }, 10_000, 100);
  return admitted.queueToken as string;
}

/** Holds `seatIds` for the fan: the order as booking returns it. */
export async function holdSeats(platform: Platform, fan: Fan, queueToken: string, scheduleId: string, seatIds: string[], extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return eventually(async () => {
    const held = await platform.api('POST', '/orders', {
      token: fan.accessToken, body: { scheduleId, seatIds, ...extra },
      headers: { 'x-queue-token': queueToken, 'idempotency-key': randomUUID() },
    });
    if (held.status === 404) return undefined; // booking learns of the seats from catalog's event
    if (held.status !== 201) throw new Error(`holding seats answered ${held.status}: ${held.text}`);
    return held.body;
  }, 10_000, 100);
}

/** A new fan, admitted to `performanceId`, with a live admission token. */
export async function admittedFan(platform: Platform, name: string, performanceId: string): Promise<{ fan: Fan; queueToken: string }> {
  const fan = await signUp(platform, name);
  return { fan, queueToken: await admit(platform, fan, performanceId) };
}
