import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import path from 'node:path';
import { log } from './process.ts';

export type Component = 'redis' | 'postgres' | 'kafka' | 'kube' | 'mail';

const binScripts = path.resolve(import.meta.dirname, '../bin');

/** Where built tools are cached between runs: outside the repo so a fresh clone reuses them. */
export const cacheDir = process.env.TICKETPING_CACHE ?? path.join(homedir(), '.cache', 'ticketping');
export const binDir = path.join(cacheDir, 'bin');

function script(name: string, args: string[] = []): string {
  const result = spawnSync('bash', [path.join(binScripts, name), ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TICKETPING_CACHE: cacheDir } });
  if (result.status !== 0) throw new Error(`${name} failed; the message above names what is missing`);
  return result.stdout.toString().trim();
}

/**
 * Installs or builds whatever the chosen components need and is missing: Debian packages
 * (redis-server, promtool, amtool, chromium), the Kafka jars, the control plane (etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler, kwok, helm, helm4) and Mailpit.
 * Each step is a no-op when its cache is warm.
 */
export async function prepare(components: Component[]): Promise<{ kafkaHome: string }> {
  const started = Date.now();
  // promtool/amtool check the alert rules; Chromium drives the web page tests.
  script('install-system-packages.sh', [...(components.includes('redis') ? ['redis'] : []), 'prometheus', 'chromium']);
  const kafkaHome = components.includes('kafka') ? script('fetch-kafka.sh').split('\n').pop()! : '';
  if (components.includes('kube')) script('build-control-plane.sh');
  if (components.includes('mail')) script('build-mailpit.sh');
  log(`tools ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return { kafkaHome };
}
