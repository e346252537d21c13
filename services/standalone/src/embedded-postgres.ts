import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { Logger } from '@ticketping/logger';

export interface EmbeddedPostgres { url: string; stop(): Promise<void> }

/**
 * PGlite (Postgres compiled to WebAssembly) with its data under `dataDir/pglite/<name>`, served over
 * the Postgres wire protocol on loopback so the services use the same pg driver as in Kubernetes.
 * PGlite is one session (the socket server queues statements and keeps a transaction's together),
 * so session settings such as `search_path` are shared by every connection: each service gets its
 * own instance, which also keeps "each service owns its database" true here.
 */
export async function startEmbeddedPostgres(dataDir: string, name: string, port: number, logger: Logger): Promise<EmbeddedPostgres> {
  const dir = path.join(dataDir, 'pglite', name);
  mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 200 });
  await server.start();
  logger.info({ port, database: name }, 'embedded Postgres (PGlite) listening');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
