import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RedisClient } from './client.ts';

/**
 * A Lua script as embedded at build time: file `<name>-<numberOfKeys>.lua`, its includes inlined.
 * `keys` and `args` are the names its header gives KEYS[1..n] and ARGV[1..m], in order; a
 * trailing `ARGV[m+1..n] name` line makes the arguments after them one variadic list, `rest`.
 */
export interface LuaScript<K extends string = string, A extends string = string> {
  name: string;
  numberOfKeys: number;
  keys: readonly K[];
  args: readonly A[];
  rest?: string;
  lua: string;
}

/** One value of ARGV (Redis receives every argument as a string). */
export type ScriptArg = string | number;

const FILE_NAME = /^([a-zA-Z][a-zA-Z0-9]*)-(\d+)\.lua$/;
const HEADER = /^--\[\[([\s\S]*?)\]\]/;
const INCLUDE = /^--- @include "([\w/-]+)"[^\S\n]*$/gm;
/** Shared snippets live here, beside the scripts: `--- @include "<name>"` reads `includes/<name>.lua`. */
export const INCLUDES_DIR = 'includes';

const headerOf = (lua: string) => HEADER.exec(lua)?.[1] ?? '';

/** Parses the header contract: every `KEYS[n]` line of the leading comment block. */
export function headerKeys(lua: string): number[] {
  return [...headerOf(lua).matchAll(/^\s*KEYS\[(\d+)\]/gm)].map((m) => Number(m[1]));
}

interface HeaderNames { keys: string[]; args: string[]; rest?: string }

/**
 * The names of a header's KEYS and ARGV lines: the word after `KEYS[n]` / `ARGV[n]`. Each must be
 * an identifier, unique, and numbered from 1 without gaps (a script whose header lies about its
 * arguments is refused before it ships).
 */
export function headerNames(file: string, lua: string): HeaderNames {
  const header = headerOf(lua);
  const lines = (kind: 'KEYS' | 'ARGV') => [...header.matchAll(new RegExp(`^\\s*${kind}\\[(\\d+)(\\.\\.n)?\\](.*)$`, 'gm'))].map((m) => ({
    index: Number(m[1]), variadic: m[2] !== undefined, name: /^\s+([a-zA-Z_]\w*)\b/.exec(m[3]!)?.[1],
  }));
  const named = (kind: 'KEYS' | 'ARGV', list: { index: number; name: string | undefined }[]) => list.map(({ index, name }, i) => {
    if (index !== i + 1) throw new Error(`${file}: ${kind}[${index}] where ${kind}[${i + 1}] was expected`);
    if (!name) throw new Error(`${file}: ${kind}[${index}] needs a name: "${kind}[${index}] <name> <what it is>"`);
    return name;
  });
  const argv = lines('ARGV');
  const restLine = argv.at(-1)?.variadic ? argv.pop() : undefined;
  if (argv.some((line) => line.variadic)) throw new Error(`${file}: only the last ARGV line may be variadic (ARGV[k..n])`);
  const keys = named('KEYS', lines('KEYS'));
  const args = named('ARGV', argv);
  if (restLine && restLine.index !== args.length + 1) throw new Error(`${file}: ARGV[${restLine.index}..n] where ARGV[${args.length + 1}..n] was expected`);
  if (restLine && !restLine.name) throw new Error(`${file}: ARGV[${restLine.index}..n] needs a name`);
  const all = [...keys, ...args, ...(restLine?.name ? [restLine.name] : [])];
  const twice = all.find((name, i) => all.indexOf(name) !== i);
  if (twice) throw new Error(`${file}: the name "${twice}" is given twice in the header`);
  return { keys, args, ...(restLine?.name ? { rest: restLine.name } : {}) };
}

/**
 * Inlines `--- @include "<name>"` lines (each on a line of its own) with `includes/<name>.lua` of
 * `dir`, recursively; a snippet included twice is inlined once, where it is first included.
 */
export function expandIncludes(file: string, lua: string, dir: string, seen = new Set<string>()): string {
  return lua.replace(INCLUDE, (_line, name: string) => {
    if (seen.has(name)) return `-- (${name} is already included above)`;
    seen.add(name);
    const includePath = path.join(dir, INCLUDES_DIR, `${name}.lua`);
    let snippet: string;
    try {
      snippet = readFileSync(includePath, 'utf8');
    } catch {
      throw new Error(`${file}: includes "${name}", but ${path.join(INCLUDES_DIR, `${name}.lua`)} is not there`);
    }
    return expandIncludes(`${file} → ${name}`, snippet, dir, seen).trimEnd();
  });
}

/**
 * Reads the `.lua` files of a folder, inlines their includes and checks each header against its
 * file name: the header names KEYS[1..n] exactly, with n from the name, and every ARGV. Used by
 * the embed step and the guard tests.
 */
export function readLuaDir(dir: string): LuaScript[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.lua'))
    .sort()
    .map((file) => {
      const match = FILE_NAME.exec(file);
      if (!match) throw new Error(`${file}: Lua files are named <commandName>-<numberOfKeys>.lua`);
      const source = readFileSync(path.join(dir, file), 'utf8');
      const numberOfKeys = Number(match[2]);
      const keys = headerKeys(source);
      const expected = Array.from({ length: numberOfKeys }, (_, i) => i + 1);
      if (keys.join(',') !== expected.join(',')) {
        throw new Error(`${file}: header lists KEYS[${keys.join('], KEYS[')}] but the name promises ${numberOfKeys} key(s)`);
      }
      const names = headerNames(file, source);
      const lua = expandIncludes(file, source, dir);
      if (/redis\.call\(\s*['"]\w+['"]\s*,\s*['"]/.test(lua)) {
        throw new Error(`${file}: pass every key through KEYS (a literal key name breaks Redis Cluster)`);
      }
      return { name: match[1]!, numberOfKeys, ...names, lua };
    });
}

/**
 * The TypeScript module the embed step writes beside the scripts: one constant per script (its
 * key and argument names as literal types, for `runScript`), and `scripts`, all of them.
 */
export function renderEmbedded(scripts: LuaScript[]): string {
  return [
    '// Generated by packages/redis/bin/embed-lua.ts from the .lua files beside it. Do not edit.',
    "import type { LuaScript } from '@ticketping/redis';",
    '',
    ...scripts.map((script) => `export const ${script.name} = ${JSON.stringify(script, null, 2)} as const satisfies LuaScript;\n`),
    `export const scripts: readonly LuaScript[] = [${scripts.map((s) => s.name).join(', ')}];`,
    '',
  ].join('\n');
}

/** Registers every script as a custom command (EVALSHA with EVAL fallback, handled by ioredis). */
export function defineScripts(redis: RedisClient, scripts: readonly LuaScript[]): void {
  for (const { name, numberOfKeys, lua } of scripts) redis.defineCommand(name, { numberOfKeys, lua });
}

/** KEYS in the script's order, each taken by its header name from `keys` (which may hold more). */
export function scriptKeys<K extends string>(script: LuaScript<K>, keys: Readonly<Record<K, string>>): string[] {
  return script.keys.map((name) => keys[name]);
}

/** ARGV in the script's order, each taken by its header name from `args` (which may hold more). */
export function scriptArgs<A extends string>(script: LuaScript<string, A>, args: Readonly<Record<A, ScriptArg>>): ScriptArg[] {
  return script.args.map((name) => args[name]);
}

/**
 * Runs a script defined on `redis` (defineScripts) with its keys and arguments by name; the rest
 * after them for a variadic script. The reply is the script's, undecoded: each service's wrapper
 * of the script decodes it.
 */
export function runScript<K extends string, A extends string>(redis: RedisClient, script: LuaScript<K, A>, keys: Readonly<Record<K, string>>, args: Readonly<Record<A, ScriptArg>>, rest: readonly ScriptArg[] = []): Promise<unknown> {
  const command = (redis as unknown as Record<string, ((...values: ScriptArg[]) => Promise<unknown>) | undefined>)[script.name];
  if (!command) throw new Error(`The script ${script.name} is not defined on this Redis client (defineScripts)`);
  const values: ScriptArg[] = [];
  for (const name of script.keys) values.push(keys[name]);
  for (const name of script.args) values.push(args[name]);
  for (const value of rest) values.push(value);
  return command.apply(redis, values);
}
