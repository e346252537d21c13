import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROUTES } from './http/routes.ts';
import { renderOpenApi } from './openapi.ts';

const committed = readFileSync(path.resolve(import.meta.dirname, '../../../docs/openapi.yaml'), 'utf8');

test('docs/openapi.yaml is exactly what the contract generates (run `npm run openapi -w @ticketping/contracts` after changing a schema)', () => {
  assert.ok(committed === renderOpenApi(), 'docs/openapi.yaml drifted from packages/contracts');
});

test('every route of the contract is in the document under its operation id', () => {
  const doc = parse(committed) as { paths: Record<string, Record<string, { operationId?: string }>> };
  for (const [id, route] of Object.entries(ROUTES)) assert.is(doc.paths[route.path]?.[route.method]?.operationId, id, `${route.method} ${route.path}`);
});

test('a seat row is an integer in the document, as the services send it', () => {
  const doc = parse(committed) as { components: { schemas: Record<string, { properties: Record<string, { type?: string }> }> } };
  assert.is(doc.components.schemas.Seat?.properties.row?.type, 'integer');
});

test.run();
