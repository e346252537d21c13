import { z } from 'zod';
import { stringify } from 'yaml';
import { createDocument, type ZodOpenApiObject, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { ERROR_CODES } from './errors.ts';
import { Problem } from './http/common.ts';
import { QueueSettings } from './http/queue.ts';
import { ROUTES, type Route, type SharedResponse } from './http/routes.ts';

const DESCRIPTION = `The contract that clients, the web pages, the load scenarios and the acceptance tests rely on
(prose version: docs/api.md in the shared docs). Extend it; do not break it. Generated from
packages/contracts (\`npm run openapi -w @ticketping/contracts\`); edit the schemas there, not this file.

Conventions
- JSON bodies, camelCase fields, ids are UUIDs, times are ISO-8601 UTC strings, money is integer
  minor units plus a \`currency\` field.
- \`Authorization: Bearer <accessToken>\` on every route except those marked public (\`security: []\`).
  A token sent to a public route must still be valid: an invalid or expired one is a 401 there too,
  so a client learns to refresh instead of silently browsing anonymously.
- Booking writes also need \`X-Queue-Token\` (the admission token for that performance) and accept
  an \`Idempotency-Key\` header.
- Every error is \`application/problem+json\` (RFC 9457) with a stable machine \`code\`. Bad input is a
  4xx naming the field, never a 5xx. Unknown routes are 404 problem+json.
- Every response carries \`x-request-id\` (echoed when the client sent a well-formed one).
- Rate limits per account and per client address answer 429 \`RATE_LIMITED\` with \`Retry-After\`.
  Waiting-room status polls have their own, larger budget.
- When a backing service is down or too slow the gateway answers 503 \`UPSTREAM_UNAVAILABLE\` /
  \`UPSTREAM_TIMEOUT\` (with \`Retry-After\`), or 502 \`UPSTREAM_FAILED\` for a broken answer; it never hangs.
- Request bodies over 100 kB (256 kB for \`/rum\`) are refused with 413 \`PAYLOAD_TOO_LARGE\`.
`;

/** Kept for clients that referenced it: money is integer minor units beside a currency. */
const Money = z.object({ currency: z.string().length(3).meta({ examples: ['KRW', 'EUR'] }) });

const problemContent = { 'application/problem+json': { schema: Problem } };
const retryAfter = { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } };

const SHARED_RESPONSES: Record<SharedResponse, { description: string; headers?: typeof retryAfter }> = {
  BadRequest: { description: 'Invalid input (`VALIDATION_FAILED` names each field, `MALFORMED_JSON`)' },
  Unauthorized: { description: 'No, invalid or expired credentials (`UNAUTHORIZED`, `TOKEN_INVALID`, `TOKEN_EXPIRED`, `INVALID_CREDENTIALS`, `INVALID_REFRESH_TOKEN`, `REFRESH_TOKEN_REUSED`)' },
  Forbidden: { description: 'Not allowed (`ADMIN_ONLY`, `QUEUE_TOKEN_REQUIRED`, `QUEUE_TOKEN_INVALID`, `EMAIL_NOT_VERIFIED`)' },
  NotFound: { description: 'No such resource (or not the caller\'s)' },
  Conflict: { description: 'Conflicts with the current state' },
  PayloadTooLarge: { description: 'The body exceeds the size limit (`PAYLOAD_TOO_LARGE`)' },
  TooManyRequests: { description: 'Rate limited (`RATE_LIMITED`, `LOGIN_THROTTLED`, `SIGNUP_CAP_REACHED`, `ENTRY_CAP_REACHED`, `VERIFICATION_MAIL_LIMITED`)', headers: retryAfter },
  Unavailable: { description: 'Try again later', headers: retryAfter },
};

function responsesOf(route: Route): ZodOpenApiResponsesObject {
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, answer] of Object.entries(route.responses)) {
    const key = status as `${1 | 2 | 3 | 4 | 5}${string}`;
    if (answer.shared) {
      responses[key] = { $ref: `#/components/responses/${answer.shared}`, ...(answer.description ? { description: answer.description } : {}) };
    } else if (answer.media) {
      responses[key] = { description: answer.description, content: Object.fromEntries(Object.entries(answer.media).map(([type, schema]) => [type, { schema }])) };
    } else if (!answer.body) {
      responses[key] = { description: answer.description };
    } else {
      const type = Number(status) >= 400 ? 'application/problem+json' : route.path.endsWith('.yaml') ? 'application/yaml' : 'application/json';
      responses[key] = { description: answer.description, content: { [type]: { schema: answer.body } } };
    }
  }
  return responses;
}

function operationOf(id: string, route: Route): ZodOpenApiOperationObject {
  const { request } = route;
  return {
    operationId: id,
    tags: [...route.tags],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.public ? { security: [] } : route.queueToken ? { security: [{ bearerAuth: [], queueToken: [] }] } : {}),
    ...(request?.params || request?.query || request?.headers
      ? { requestParams: { ...(request.params ? { path: request.params } : {}), ...(request.query ? { query: request.query } : {}), ...(request.headers ? { header: request.headers } : {}) } }
      : {}),
    ...(request?.body ? { requestBody: { required: !request.bodyOptional, content: { 'application/json': { schema: request.body } } } } : {}),
    responses: responsesOf(route),
  };
}

const SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

/**
 * zod spells out what `format` already says (a UUID or date-time regex) and bounds every integer
 * by ±2^53; readers of the document only need the format and the bounds we chose.
 */
function quieter({ jsonSchema }: { jsonSchema: Record<string, unknown> }): void {
  if (jsonSchema.format === 'uuid' || jsonSchema.format === 'date-time' || jsonSchema.format === 'email') delete jsonSchema.pattern;
  if (jsonSchema.minimum === -SAFE_INTEGER) delete jsonSchema.minimum;
  if (jsonSchema.maximum === SAFE_INTEGER) delete jsonSchema.maximum;
}

/** docs/openapi.yaml as an object: the public routes of ROUTES with their schemas. */
export function openApiDocument(): ReturnType<typeof createDocument> {
  const paths: ZodOpenApiPathsObject = {};
  for (const [id, route] of Object.entries(ROUTES) as [string, Route][]) {
    paths[route.path] = { ...paths[route.path], [route.method]: operationOf(id, route) };
  }
  const document: ZodOpenApiObject = {
    openapi: '3.1.0',
    info: { title: 'TicketPing public API', version: '1.0.0', summary: 'Fan- and admin-facing REST API, served through the gateway under /api/v1.', description: DESCRIPTION },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
    tags: ['Identity', 'Catalog', 'Waiting room', 'Booking', 'Waitlist', 'Returns', 'Payment', 'Tickets', 'Check-in', 'Platform'].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: "JWT (EdDSA, 15 minutes; keys at auth's /.well-known/jwks.json)" },
        queueToken: { type: 'apiKey', in: 'header', name: 'X-Queue-Token', description:
            'The admission token from an ADMITTED waiting-room entry: a signed JWT (`aud` performance,\n`sub` fan, `exp` end of the active window). Reads check it locally; creating an order also\nneeds the slot it was issued for to be live (see `POST /api/v1/orders`).',
        },
      },
      headers: { RetryAfter: { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } } },
      responses: Object.fromEntries(Object.entries(SHARED_RESPONSES).map(([name, r]) => [name, { ...r, content: problemContent }])),
      schemas: { Problem, Money, QueueSettings, ErrorCode: z.enum(ERROR_CODES as [string, ...string[]]).meta({ description: 'Every `code` a problem answer carries (packages/contracts errors.ts).' }) },
    },
  };
  return createDocument(document, { override: quieter });
}

const HEADER = '# Generated from packages/contracts by `npm run openapi -w @ticketping/contracts`; do not edit by hand.\n';

/** docs/openapi.yaml as text, exactly as committed. */
export function renderOpenApi(): string {
  return HEADER + stringify(openApiDocument(), { lineWidth: 0, aliasDuplicateObjects: false });
}
