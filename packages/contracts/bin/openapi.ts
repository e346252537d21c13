#!/usr/bin/env -S node --conditions=source
/**
 * Writes docs/openapi.yaml from the contract; with `--check`, writes nothing and fails (exit 1)
 * when the file differs from what the contract generates, so a drift cannot be committed.
 *
 *   openapi.ts [--check] [--out <file>]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderOpenApi } from '../src/openapi.ts';

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const file = outIndex === -1 ? path.resolve(import.meta.dirname, '../../../docs/openapi.yaml') : path.resolve(args[outIndex + 1] ?? '');
const generated = renderOpenApi();

if (args.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // a missing file is a drift like any other
  }
  if (current !== generated) {
    process.stderr.write(`${path.relative(process.cwd(), file)} is not what packages/contracts generates; run: npm run openapi -w @ticketping/contracts\n`);
    process.exitCode = 1;
  }
} else {
  writeFileSync(file, generated);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}
