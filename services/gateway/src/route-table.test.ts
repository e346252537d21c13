import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { ROUTES } from './route-table.ts';

interface Operation { security?: unknown[] }
const spec = parse(readFileSync(path.resolve(import.meta.dirname, '../../../docs/openapi.yaml'), 'utf8')) as { openapi: string; paths: Record<string, Record<string, Operation>> };
const toOpenApi = (expressPath: string) => expressPath.replace(/:(\w+)/g, '{$1}');

test('docs/openapi.yaml is OpenAPI 3.1 and documents every route the gateway forwards', () => {
  assert.is(spec.openapi, '3.1.0');
  for (const route of ROUTES) {
    assert.ok(spec.paths[toOpenApi(route.path)]?.[route.method.toLowerCase()], `${route.method} ${route.path} is missing from docs/openapi.yaml`);
  }
});

test('a route is public in the contract exactly when the gateway lets it through without a token', () => {
  for (const route of ROUTES) {
    const operation = spec.paths[toOpenApi(route.path)]![route.method.toLowerCase()]!;
    const publicInSpec = Array.isArray(operation.security) && operation.security.length === 0;
    assert.is(publicInSpec, route.access === 'public', `${route.method} ${route.path}`);
  }
});

test('every $ref points at something that exists', () => {
  const text = JSON.stringify(spec);
  for (const [, ref] of text.matchAll(/"\$ref":"#\/([^"]+)"/g)) {
    const target = ref!.split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], spec);
    assert.ok(target, `dangling $ref #/${ref}`);
  }
});

test.run();
