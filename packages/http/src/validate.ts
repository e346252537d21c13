import type { Request } from 'express';
import type { ZodError, z } from 'zod';
import { validationFailed } from './errors.ts';

/** Parses one part of a request with a zod schema; failures become a 400 naming each field. */
function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params' | 'headers'): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const fields = (result.error as ZodError).issues.map((issue) => ({ field: [where, ...issue.path].join('.'), message: issue.message }));
  throw validationFailed(fields);
}

export const validate = {
  body: <S extends z.ZodType>(schema: S, req: Request) => parse(schema, req.body, 'body'),
  query: <S extends z.ZodType>(schema: S, req: Request) => parse(schema, req.query, 'query'),
  params: <S extends z.ZodType>(schema: S, req: Request) => parse(schema, req.params, 'params'),
  headers: <S extends z.ZodType>(schema: S, req: Request) => parse(schema, req.headers, 'headers'),
  /** A part that did not come in its own request (an item of a batch), named as if it had. */
  part: parse,
};
