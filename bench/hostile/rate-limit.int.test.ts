/**
 * Rate limits hold (OWASP API4), with the gateway's default limits (services/gateway/src/config.ts:
 * per 10 s window, 100 requests per account, 1,000 per client address, polls on their own budget),
 * on its own platform so spending budgets cannot starve the other suites.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { admit, adminToken, assertProblem, createPerformance, retryWhenBusy, signUp, startPlatform, type Fan, type Platform, type Reply } from './support.ts';

const PER_ACCOUNT = 100;
const PER_ADDRESS = 1000;

let platform: Platform;
let performanceId: string;

test.before(async () => {
  platform = await startPlatform('rate-limit');
  ({ performanceId } = await createPerformance(platform, await adminToken(platform)));
});

test.after(async () => {
  await platform?.stop();
});

/** Sends `request` until it is refused with 429 or `max` were sent; `concurrency` at a time. */
async function untilLimited(request: () => Promise<Reply>, max: number, concurrency = 16): Promise<{ sent: number; limited?: Reply; limitedAt: number }> {
  let sent = 0;
  let limited: Reply | undefined;
  let limitedAt = 0;
  const worker = async () => {
    while (!limited && sent < max) {
      sent += 1;
      const reply = await request();
      if (reply.status === 429) {
        limitedAt ||= Date.now();
        limited ??= reply;
      } else assert.ok(reply.status < 500, reply.text);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { sent, limitedAt, ...(limited ? { limited } : {}) };
}

/** True while the window that refused at `limitedAt` (with its Retry-After) surely has not ended. */
function windowStillOpen(limited: Reply, limitedAt: number): boolean {
  return Date.now() < limitedAt + (Number(limited.headers.get('retry-after')) - 1) * 1000;
}

function assertRateLimited(reply: Reply): void {
  assertProblem(reply, 429, 'RATE_LIMITED');
  const retryAfter = Number(reply.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 10, `Retry-After ${reply.headers.get('retry-after')}`);
}

test('one account past its budget gets 429 RATE_LIMITED with Retry-After; other accounts and its own polls are unaffected', async () => {
  const [greedy, other] = await Promise.all([signUp(platform, 'greedy'), signUp(platform, 'other')]);
  await admit(platform, greedy, performanceId); // an entry to poll afterwards
  const { sent, limited, limitedAt } = await untilLimited(() => platform.api('GET', '/users/me', { token: greedy.accessToken }), PER_ACCOUNT * 3);
  assert.ok(limited, `no 429 after ${sent} requests`);
  assert.ok(sent > PER_ACCOUNT * 0.5, `limited too early, after ${sent}`);
  assertRateLimited(limited);
  const stillLimited = await platform.api('GET', '/orders', { token: greedy.accessToken });
  // the budget is per 10 s window: on a slow machine the window may have ended in between
  if (windowStillOpen(limited, limitedAt)) assertRateLimited(stillLimited);
  assert.is((await platform.api('GET', '/users/me', { token: other.accessToken })).status, 200, 'another account keeps its budget');
  const poll = await platform.api('GET', `/queues/${performanceId}/entries/me`, { token: greedy.accessToken });
  assert.is(poll.status, 200, `polls have their own budget: ${poll.text}`);
});

test('a token sprayer is limited per address even with bad tokens, then that address is refused and others are not', async () => {
  const sprayer = '198.51.100.66';
  const { sent, limited, limitedAt } = await untilLimited(() => platform.api('GET', '/users/me', { token: `junk.${Math.random()}.x`, headers: { 'x-forwarded-for': sprayer } }), PER_ADDRESS * 3, 24);
  assert.ok(limited, `no 429 after ${sent} requests`);
  assertRateLimited(limited);
  const again = await platform.api('GET', '/performances', { headers: { 'x-forwarded-for': sprayer } });
  if (windowStillOpen(limited, limitedAt)) assertRateLimited(again);
  assert.is((await platform.api('GET', '/performances', { headers: { 'x-forwarded-for': '198.51.100.67' } })).status, 200);
});

test('failed logins for one account are throttled with 429 LOGIN_THROTTLED', async () => {
  const victim: Fan = await signUp(platform, 'victim');
  // a 503 AUTH_BUSY (hashing at its budget) checked no password: sent again, as clients do
  const { sent, limited } = await untilLimited(() => retryWhenBusy(() => platform.api('POST', '/auth/login', { body: { email: victim.email, password: 'guess-guess' }, headers: { 'x-forwarded-for': '198.51.100.70' } })), 50, 4);
  assert.ok(limited, `no 429 after ${sent} failed logins`);
  assertProblem(limited, 429, 'LOGIN_THROTTLED');
  assert.ok(Number(limited.headers.get('retry-after')) >= 1, 'Retry-After');
});

test.run();
