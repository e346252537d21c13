/**
 * Helpers for the chart's tests: run the real `helm`, `kubectl`, `promtool` and `amtool`, and parse
 * what `helm template` renders into plain objects.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export const chartDir = path.resolve(import.meta.dirname, '..');
export const repoRoot = path.resolve(chartDir, '../..');

/** A binary from PATH (the test run puts ~/.cache/ticketping/bin there), else from that folder. */
function cachedBinary(name: string): string {
  const fromPath = (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, name)).find((file) => existsSync(file));
  return fromPath ?? path.join(os.homedir(), '.cache/ticketping/bin', name);
}

/** Helm 3, which renders in every test. */
export const helmBinary = cachedBinary('helm');
/** Helm 4 (the testenv builds both): the install tests run with each. */
export const helm4Binary = cachedBinary('helm4');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- rendered objects are checked field by field
  data?: Record<string, string>;
}

export interface RunResult { code: number; stdout: string; stderr: string }

/** Runs a command; never throws, so tests can assert on failures too. */
export function run(command: string, args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...options.env } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }));
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export async function mustRun(command: string, args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new Error(`${path.basename(command)} ${args.join(' ')} failed (${result.code}):\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

export interface RenderOptions {
  /** Values files, relative to the chart. */
  valuesFiles?: string[];
  /** --set-string pairs are not used: these are typed like values.yaml entries, given as --set-json. */
  set?: Record<string, unknown>;
  apiVersions?: string[];
  release?: string;
  namespace?: string;
}

function templateArgs(options: RenderOptions): string[] {
  const args = ['template', options.release ?? 'tp', chartDir, '--namespace', options.namespace ?? 'tickets'];
  for (const file of options.valuesFiles ?? []) args.push('--values', path.join(chartDir, file));
  for (const [key, value] of Object.entries(options.set ?? {})) args.push('--set-json', `${key}=${JSON.stringify(value)}`);
  for (const api of options.apiVersions ?? []) args.push('--api-versions', api);
  return args;
}

export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text).map((doc) => doc.toJS() as K8sObject | null).filter((o): o is K8sObject => o !== null);
}

/** `helm template` → its output as text. */
export function renderText(options: RenderOptions = {}): Promise<string> {
  return mustRun(helmBinary, templateArgs(options));
}

/** `helm template` → objects (hooks included). */
export async function render(options: RenderOptions = {}): Promise<K8sObject[]> {
  return parseObjects(await renderText(options));
}

/** `helm template` that is expected to fail: its error output. */
export async function renderError(options: RenderOptions): Promise<string> {
  const result = await run(helmBinary, templateArgs(options));
  if (result.code === 0) throw new Error('helm template succeeded but was expected to fail');
  return result.stderr;
}

export function byKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

export const SERVICES = ['gateway', 'auth', 'catalog', 'queue', 'booking', 'payment', 'tickets'] as const;

/** Pod templates of every workload (Deployment, StatefulSet, Job). */
export function podSpecs(objects: K8sObject[]): { owner: string; spec: any }[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  return objects
    .filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind))
    .map((o) => ({ owner: `${o.kind}/${o.metadata.name}`, spec: o.spec.template.spec }));
}

export interface EnvVar { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }

export function containerEnv(deployment: K8sObject, container = 0): Map<string, EnvVar> {
  const env = (deployment.spec.template.spec.containers[container].env ?? []) as EnvVar[];
  return new Map(env.map((e) => [e.name, e]));
}

/** The decoded data of a rendered Secret. */
export function secretData(secret: K8sObject): Record<string, string> {
  return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}
