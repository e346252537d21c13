#!/usr/bin/env -S node --conditions=source
/**
 * The test environment: real Redis, Postgres, Kafka, a Kubernetes control plane (with a scheduler and
 * kwok-run fake Nodes, so pods run and become Ready) and an SMTP server (Mailpit) on loopback.
 *
 *   testenv run [--only redis,postgres,kafka,kube,mail] -- <command...>   start, run the command with the
 *       connection settings in its environment, tear everything down (also on failure or Ctrl-C)
 *   testenv up [--only ...]   start and keep running; writes .testenv/env.json and .testenv/env.sh
 *       so single test files can be run by hand from another terminal
 */
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { binDir, prepare, type Component } from './prepare.ts';
import { log, type Server } from './process.ts';
import { startRedis } from './redis.ts';
import { startPostgres } from './postgres.ts';
import { startKafka } from './kafka.ts';
import { startKube } from './kube.ts';
import { startMail } from './mail.ts';

const ALL: Component[] = ['redis', 'postgres', 'kafka', 'kube', 'mail'];
const repoRoot = path.resolve(import.meta.dirname, '../../..');

function parseArgs(argv: string[]): { mode: string; only: Component[]; command: string[] } {
  const [mode = 'up', ...rest] = argv;
  const dashes = rest.indexOf('--');
  const flags = dashes === -1 ? rest : rest.slice(0, dashes);
  const command = dashes === -1 ? [] : rest.slice(dashes + 1);
  const onlyIndex = flags.indexOf('--only');
  const only = onlyIndex === -1 ? ALL : (flags[onlyIndex + 1] ?? '').split(',').filter(Boolean) as Component[];
  const unknown = only.filter((c) => !ALL.includes(c));
  if (unknown.length) throw new Error(`unknown component(s): ${unknown.join(', ')} (choose from ${ALL.join(', ')})`);
  if (mode === 'run' && command.length === 0) throw new Error('usage: testenv run [--only ...] -- <command...>');
  return { mode, only, command };
}

async function startAll(only: Component[], workDir: string): Promise<Server[]> {
  const tools = await prepare(only);
  const starters: Record<Component, () => Promise<Server>> = {
    redis: () => startRedis(workDir),
    postgres: () => startPostgres(workDir),
    kafka: () => startKafka(workDir, tools.kafkaHome),
    kube: () => startKube(workDir, binDir),
    mail: () => startMail(workDir, binDir),
  };
  const results = await Promise.allSettled(only.map((c) => starters[c]()));
  const servers = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  if (failures.length) {
    await stopAll(servers);
    throw new Error(failures.map((f) => f.message).join('\n') + `\n(server logs are in ${workDir})`);
  }
  return servers;
}

async function stopAll(servers: Server[]): Promise<void> {
  await Promise.allSettled(servers.map((s) => s.stop()));
}

async function main(): Promise<number> {
  const { mode, only, command } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'ticketping-testenv-'));
  const servers = await startAll(only, workDir);
  const env: Record<string, string> = { TICKETPING_TESTENV_DIR: workDir, PATH: `${binDir}:${process.env.PATH}` };
  for (const server of servers) Object.assign(env, server.env);
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)}s: ${servers.map((s) => s.name).join(', ')} (logs in ${workDir})`);

  let stopping: Promise<void> | undefined;
  const shutdown = () => (stopping ??= stopAll(servers).then(() => rm(workDir, { recursive: true, force: true })));

  if (mode === 'up') {
    const stateDir = path.join(repoRoot, '.testenv');
    await mkdir(stateDir, { recursive: true });
    await writeFile(path.join(stateDir, 'env.json'), JSON.stringify(env, null, 2));
    await writeFile(path.join(stateDir, 'env.sh'), Object.entries(env).map(([k, v]) => `export ${k}='${v}'`).join('\n') + '\n');
    log(`settings written to .testenv/env.json and .testenv/env.sh; Ctrl-C stops everything`);
    await new Promise<void>((resolve) => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
    });
    await shutdown();
    await rm(stateDir, { recursive: true, force: true });
    return 0;
  }

  const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit', env: { ...process.env, ...env } });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  const code = await new Promise<number>((resolve) => child.once('exit', (c, s) => resolve(c ?? (s ? 130 : 1))));
  await shutdown();
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    log(error.message);
    process.exit(1);
  },
);
