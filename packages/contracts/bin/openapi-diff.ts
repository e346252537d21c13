#!/usr/bin/env -S node --conditions=source
/**
 * Lists what a new docs/openapi.yaml removes from or adds to an old one: paths, operations,
 * operation ids, parameters, schema names and each schema's properties (with their types).
 * Removals break clients; the exit code is 1 when there are any.
 *
 *   openapi-diff.ts <old.yaml> <new.yaml>
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

type Json = Record<string, unknown>;
interface Doc { paths: Record<string, Record<string, Json>>; components?: { schemas?: Record<string, Json>; parameters?: Record<string, Json> } }

const [oldFile, newFile] = process.argv.slice(2);
if (!oldFile || !newFile) throw new Error('usage: openapi-diff.ts <old.yaml> <new.yaml>');
const before = parse(readFileSync(oldFile, 'utf8')) as Doc;
const after = parse(readFileSync(newFile, 'utf8')) as Doc;
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

function resolveParam(doc: Doc, p: Json): Json {
  const ref = p.$ref as string | undefined;
  return ref ? (doc.components?.parameters?.[ref.split('/').pop()!] ?? {}) : p;
}

/** Every fact a client may rely on, as one line each. */
function facts(doc: Doc): Map<string, string> {
  const out = new Map<string, string>();
  for (const [p, item] of Object.entries(doc.paths)) {
    out.set(`path ${p}`, '');
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const name = `${method.toUpperCase()} ${p}`;
      out.set(`operation ${name}`, '');
      if (op.operationId) out.set(`operationId ${name}`, String(op.operationId));
      for (const param of (op.parameters as Json[] | undefined) ?? []) {
        const resolved = resolveParam(doc, param);
        out.set(`parameter ${name} ${String(resolved.in)}:${String(resolved.name)}`, JSON.stringify(resolved.schema ?? {}));
      }
      for (const status of Object.keys((op.responses as Json | undefined) ?? {})) out.set(`response ${name} ${status}`, '');
    }
  }
  for (const [name, param] of Object.entries(doc.components?.parameters ?? {})) out.set(`parameter component ${name}`, `${String(param.in)}:${String(param.name)}`);
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
    out.set(`schema ${name}`, '');
    const props = (schema.properties as Record<string, Json> | undefined) ?? {};
    for (const [prop, def] of Object.entries(props)) {
      const type = def.$ref ?? def.enum ?? def.const ?? def.type ?? def.anyOf ?? def.oneOf ?? def.allOf;
      out.set(`property ${name}.${prop}`, JSON.stringify(type ?? 'any'));
    }
    for (const prop of (schema.required as string[] | undefined) ?? []) out.set(`required ${name}.${prop}`, '');
  }
  return out;
}

const a = facts(before);
const b = facts(after);
const removed = [...a.keys()].filter((k) => !b.has(k));
const added = [...b.keys()].filter((k) => !a.has(k));
const changed = [...a.keys()].filter((k) => b.has(k) && a.get(k) !== b.get(k));
const print = (title: string, lines: string[]) => {
  process.stdout.write(`${title} (${lines.length})\n`);
  for (const line of lines) process.stdout.write(`  ${line}\n`);
};
print('removed', removed.map((k) => `${k}${a.get(k) ? ` = ${a.get(k)}` : ''}`));
print('changed', changed.map((k) => `${k}: ${a.get(k)} -> ${b.get(k)}`));
print('added', added.map((k) => `${k}${b.get(k) ? ` = ${b.get(k)}` : ''}`));
if (removed.length) process.exitCode = 1;
