import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Connection settings of the servers the test environment started (packages/testenv). */
export interface TestEnv {
  redisUrl: string;
  postgresUrl: string;
  kafkaBrokers: string[];
  kubeconfig: string;
  /** Mailpit's SMTP listener (`smtp://127.0.0.1:port`): what the services under test send mail to. */
  smtpUrl: string;
  /** Mailpit's HTTP API, read by `waitForMail`. */
  mailpitUrl: string;
}

const KEYS = {
  redisUrl: 'TICKETPING_REDIS_URL',
  postgresUrl: 'TICKETPING_POSTGRES_URL',
  kafkaBrokers: 'TICKETPING_KAFKA_BROKERS',
  kubeconfig: 'TICKETPING_KUBECONFIG',
  smtpUrl: 'TICKETPING_SMTP_URL',
  mailpitUrl: 'TICKETPING_MAILPIT_URL',
} as const;

function findStateFile(from: string): string | undefined {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, '.testenv', 'env.json');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Reads one setting: from the environment (`npm test` sets it) or from `.testenv/env.json`
 * written by `npm run testenv up`, so a single test file can be run by hand.
 */
function setting(key: keyof typeof KEYS): string {
  const name = KEYS[key];
  const fromEnv = process.env[name];
  if (fromEnv) return fromEnv;
  const stateFile = findStateFile(process.cwd());
  const fromFile = stateFile ? (JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, string>)[name] : undefined;
  if (fromFile) return fromFile;
  throw new Error(`${name} is not set: run the tests with \`npm test\`, or start the servers with \`npm run testenv up\` first`);
}

export const testEnv = {
  get redisUrl() { return setting('redisUrl'); },
  get postgresUrl() { return setting('postgresUrl'); },
  get kafkaBrokers() { return setting('kafkaBrokers').split(','); },
  get kubeconfig() { return setting('kubeconfig'); },
  get smtpUrl() { return setting('smtpUrl'); },
  get mailpitUrl() { return setting('mailpitUrl'); },
} satisfies TestEnv;

/** A short random name part so suites sharing a server never collide. */
export function randomPrefix(label = 't'): string {
  return `${label}_${randomBytes(5).toString('hex')}`;
}

/** Polls until `check` returns a truthy value (returned) or fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000, intervalMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
}

export { mailAttachment, waitForMail, type MailpitMessage, type MailQuery } from './mailpit.ts';
export { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';
export * from './contract.ts';
export { entryBody, solveProofOfWork, type ProofOfWorkChallenge, type ProofOfWorkSolution } from './proof-of-work.ts';
