import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { log, portOpen, startProcess, waitFor, type Server } from './process.ts';
import { freePort } from '@ticketping/http/free-port';

/**
 * Mailpit on loopback: a real SMTP server that accepts any sender and recipient (and any login,
 * so services configured with credentials work too) and keeps every message, plus its HTTP API,
 * which `waitForMail` in @ticketping/testing reads. Nothing is relayed anywhere.
 */
export async function startMail(workDir: string, binDir: string): Promise<Server> {
  const dir = path.join(workDir, 'mailpit');
  await mkdir(dir, { recursive: true });
  const [smtpPort, httpPort] = [await freePort(), await freePort()];
  log(`starting mailpit (SMTP 127.0.0.1:${smtpPort}, API 127.0.0.1:${httpPort})`);
  const child = startProcess(path.join(binDir, 'mailpit'), [
    '--smtp', `127.0.0.1:${smtpPort}`, '--listen', `127.0.0.1:${httpPort}`, '--database', path.join(dir, 'mailpit.db'),
    '--smtp-auth-accept-any', '--smtp-auth-allow-insecure', '--smtp-disable-rdns', '--disable-version-check',
    // Keep everything: a sell-out test mails thousands of tickets and must find each one.
    '--max', '0', '--quiet',
  ], path.join(workDir, 'mailpit.log'));
  const apiUrl = `http://127.0.0.1:${httpPort}`;
  await waitFor('mailpit', async () => (await portOpen(smtpPort)) && (await fetch(`${apiUrl}/readyz`)).ok, 30_000, child);
  return {
    name: 'mail',
    env: { TICKETPING_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, TICKETPING_MAILPIT_URL: apiUrl },
    stop: () => child.stopGracefully(),
  };
}
