/**
 * fast-check arbitraries driven by docs/openapi.yaml: for each operation, requests whose path
 * parameters, query, headers, credentials and body are wrong in every way the schema allows.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';

type Schema = Record<string, unknown>;
interface Parameter { name: string; in: 'path' | 'query' | 'header'; schema?: Schema; $ref?: string }
interface Operation { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> }; security?: unknown[] }

export interface OperationSpec {
  method: string;
  /** The template, e.g. /api/v1/orders/{orderId}. */
  path: string;
  pathParams: string[];
  queryParams: Array<{ name: string; schema: Schema }>;
  headerParams: string[];
  bodySchema?: Schema;
  isPublic: boolean;
}

export interface HostileRequest { path: string; query: string; headers: Record<string, string>; body?: string }

const document = parse(readFileSync(path.resolve(import.meta.dirname, '../../docs/openapi.yaml'), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
};

function resolve<T>(node: T): T {
  const ref = (node as { $ref?: string }).$ref;
  if (!ref) return node;
  const target = ref.replace(/^#\//, '').split('/').reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], document);
  return resolve(target as T);
}

export function operations(): OperationSpec[] {
  const specs: OperationSpec[] = [];
  for (const [template, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const parameters = (operation.parameters ?? []).map((p) => resolve(p));
      const content = operation.requestBody?.content;
      const bodySchema = content ? Object.values(content)[0]?.schema : undefined;
      specs.push({
        method: method.toUpperCase(),
        path: template,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        headerParams: parameters.filter((p) => p.in === 'header').map((p) => p.name),
        ...(bodySchema ? { bodySchema: resolve(bodySchema) } : {}),
        isPublic: Array.isArray(operation.security) && operation.security.length === 0,
      });
    }
  }
  return specs;
}

const printable = (maxLength: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });
const json = fc.jsonValue({ maxDepth: 2 });
const wrongType = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 20 }), fc.array(json, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 3 }));

/** A value that fits `schema`, almost fits it (bounds, formats), or does not fit at all. */
export function hostileValue(schemaNode: Schema, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(schemaNode);
  const parts = (schema.allOf as Schema[] | undefined)?.map((s) => resolve(s));
  if (parts) return hostileValue(Object.assign({}, ...parts) as Schema, depth);
  return fc.oneof({ weight: 3, arbitrary: nearlyValid(schema, depth) }, { weight: 1, arbitrary: wrongType });
}

function nearlyValid(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.oneof(fc.constantFrom(...(schema.enum as unknown[])), fc.string({ maxLength: 12 }));
  if ('const' in schema) return fc.oneof(fc.constant(schema.const), fc.string({ maxLength: 12 }));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      if (depth > 3) return fc.constant({});
      const known = fc.record(Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, hostileValue(v, depth + 1)])), { requiredKeys: [] });
      const extra = fc.dictionary(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'role', 'status', 'price', 'amount', 'id', 'userId'), fc.string({ maxLength: 10 })), json, { maxKeys: 3 });
      return fc.tuple(known, extra).map(([k, e]) => ({ ...e, ...k }));
    }
    case 'array':
      return fc.oneof(
        fc.array(hostileValue((schema.items ?? {}) as Schema, depth + 1), { maxLength: 5 }),
        fc.array(fc.uuid(), { minLength: 30, maxLength: 60 }),
      );
    case 'integer':
    case 'number':
      return fc.oneof(fc.integer({ min: -2, max: 10 }), fc.integer(), fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 53 + 1, 1e308, -0, 0.5));
    case 'string':
      return stringish(schema);
    default:
      return json;
  }
}

function stringish(schema: Schema): fc.Arbitrary<string> {
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : 100;
  const near = [fc.string({ maxLength: 30 }), fc.string({ minLength: maxLength + 1, maxLength: maxLength + 50 }), fc.constantFrom('', ' ', '\u0000', '../../etc/passwd', "' OR 1=1 --", '<script>alert(1)</script>', '${jndi:x}')];
  if (schema.format === 'uuid') return fc.oneof(fc.uuid(), ...near);
  if (schema.format === 'date-time') return fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.constantFrom('2026-13-45T99:99:99Z', 'yesterday'), ...near);
  if (schema.format === 'email') return fc.oneof(fc.emailAddress(), ...near);
  return fc.oneof(...near);
}

/** A path segment: a real id, an unknown uuid, or junk (URL-encoded so it stays one segment). */
export function pathSegment(realIds: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...realIds),
    fc.uuid(),
    fc.string({ minLength: 1, maxLength: 300 }).map(encodeURIComponent),
    fc.constantFrom('%00', '..%2F..%2Fadmin', 'null', 'undefined', '-1', '1e9', '%E0%A4%A', 'me', '00000000-0000-0000-0000-000000000000'),
  );
}

export function queryString(params: OperationSpec['queryParams']): fc.Arbitrary<string> {
  if (params.length === 0) return fc.oneof(fc.constant(''), printable(40).map((s) => `?${encodeURIComponent(s)}=1`));
  const one = fc.record(Object.fromEntries(params.map((p) => [p.name, fc.oneof(hostileValue(p.schema).map(String), printable(60))])), { requiredKeys: [] });
  return fc.oneof(
    one.map((q) => `?${new URLSearchParams(q as Record<string, string>).toString()}`),
    fc.constantFrom('?limit=1&limit=2', '?cursor[]=x', '?limit=%', '?cursor=%ZZ'),
  );
}

/** Raw bodies: JSON shaped by the schema, any JSON, malformed text, or nothing. */
export function body(schema: Schema | undefined): fc.Arbitrary<string | undefined> {
  const shaped = schema ? hostileValue(schema).map((v) => JSON.stringify(v)) : json.map((v) => JSON.stringify(v));
  return fc.oneof(
    { weight: 6, arbitrary: shaped },
    { weight: 1, arbitrary: json.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 50 }), fc.constantFrom('{"a":', '{"__proto__":{"role":"ADMIN"}}', 'nul', '[', '{}}', '\uFEFF{}')) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

export const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'multipart/form-data; boundary=x', '', 'application/json; charset=utf-16') },
);

export const headerValue = printable;
