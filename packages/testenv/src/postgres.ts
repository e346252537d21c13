import { chmod, chown, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { log, run, startProcess, waitFor, portOpen, type Server } from './process.ts';
import { freePort } from '@ticketping/http/free-port';

const PG_BIN_CANDIDATES = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];

function pgBin(): string {
  const dir = process.env.TICKETPING_PG_BIN ?? PG_BIN_CANDIDATES.find((d) => existsSync(path.join(d, 'initdb')));
  if (!dir) throw new Error('PostgreSQL server binaries (initdb, postgres) not found: apt-get install postgresql-15, or set TICKETPING_PG_BIN');
  return dir;
}

/** Postgres refuses to run as root; as root we run it as the unprivileged `postgres` account. */
function asUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('running as root needs a `postgres` system account to own the test database (it comes with the postgresql package)');
  }
}

/** A throwaway cluster: initdb into the work dir, fsync off, loopback only. */
export async function startPostgres(workDir: string): Promise<Server> {
  const bin = pgBin();
  const dataDir = path.join(workDir, 'postgres');
  await mkdir(dataDir, { recursive: true });
  const user = asUser();
  if (user) {
    await chown(workDir, user.uid, user.gid);
    await chown(dataDir, user.uid, user.gid);
  }
  await chmod(dataDir, 0o700);
  const ids = user ?? {};
  await run(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], ids);
  const port = await freePort();
  log(`starting postgres on 127.0.0.1:${port}`);
  const child = startProcess(path.join(bin, 'postgres'), ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1',
    '-c', `unix_socket_directories=${dataDir}`, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    '-c', 'max_connections=400', '-c', 'shared_buffers=256MB'], path.join(workDir, 'postgres.log'), { ...ids, stopSignal: 'SIGINT' }); // SIGINT: fast shutdown, no waiting on clients
  await waitFor('postgres', async () => (await portOpen(port)) && (await run(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]).then(() => true)), 30_000, child);
  return {
    name: 'postgres',
    env: { TICKETPING_POSTGRES_URL: `postgres://postgres@127.0.0.1:${port}/postgres` },
    stop: () => child.stopGracefully(),
  };
}
