import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateSigningKey, publicJwks, type PrivateJwk } from '@ticketping/auth-tokens';

/** What the platform needs to keep across restarts so logins and admission tokens stay valid. */
export interface StandaloneSecrets {
  internalToken: string;
  authKey: PrivateJwk;
  queueKey: PrivateJwk;
  adminEmail: string;
  adminPassword: string;
  /** The embedded Postgres superuser's (kept out of the code: the cluster listens on loopback, other local users too). */
  postgresPassword: string;
}

/** Made on the first start and kept in `<dataDir>/secrets.json` (owner-only). */
export async function loadOrCreateSecrets(dataDir: string): Promise<StandaloneSecrets> {
  const file = path.join(dataDir, 'secrets.json');
  if (existsSync(file)) {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Partial<StandaloneSecrets> & Omit<StandaloneSecrets, 'postgresPassword'>;
    if (kept.postgresPassword) return kept as StandaloneSecrets;
    // Data from before Postgres was embedded (PGlite needed no password).
    const upgraded = { ...kept, postgresPassword: randomBytes(18).toString('base64url') };
    writeFileSync(file, JSON.stringify(upgraded, null, 2), { mode: 0o600 });
    return upgraded;
  }
  const secrets: StandaloneSecrets = {
    internalToken: randomBytes(24).toString('base64url'),
    authKey: await generateSigningKey(),
    queueKey: await generateSigningKey(),
    adminEmail: 'admin@ticketping.local',
    adminPassword: randomBytes(12).toString('base64url'),
    postgresPassword: randomBytes(18).toString('base64url'),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

export const jwksJson = (key: PrivateJwk) => JSON.stringify(publicJwks([key]));
