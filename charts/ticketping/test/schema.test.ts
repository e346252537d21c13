/**
 * values.schema.json and the README's parameter table are generated from the `## @param` comments of
 * values.yaml (`npm run charts:schema`): they must be current, and every value documented.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import { chartDir, mustRun, repoRoot } from './chart.ts';

const generator = path.join(repoRoot, 'node_modules/@bitnami/readme-generator-for-helm/bin/index.js');
let scratch = '';

test.before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'ticketping-schema-'));
});

test.after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

test('values.schema.json and the README table match what values.yaml generates', async () => {
  await copyFile(path.join(chartDir, 'values.yaml'), path.join(scratch, 'values.yaml'));
  await copyFile(path.join(chartDir, 'README.md'), path.join(scratch, 'README.md'));
  // The generator refuses values without metadata, so this also proves every value is documented.
  await mustRun(process.execPath, [generator, '--values', path.join(scratch, 'values.yaml'), '--readme', path.join(scratch, 'README.md'),
    '--schema', path.join(scratch, 'values.schema.json')]);
  const committed = JSON.parse(await readFile(path.join(chartDir, 'values.schema.json'), 'utf8')) as unknown;
  const fresh = JSON.parse(await readFile(path.join(scratch, 'values.schema.json'), 'utf8')) as unknown;
  assert.deepEqual(committed, fresh, 'values.schema.json is stale: run `npm run charts:schema`');
  assert.equal(await readFile(path.join(chartDir, 'README.md'), 'utf8'), await readFile(path.join(scratch, 'README.md'), 'utf8'),
    'the README parameter table is stale: run `npm run charts:schema`');
});

test('the schema types the values people set most', async () => {
  const schema = JSON.parse(await readFile(path.join(chartDir, 'values.schema.json'), 'utf8')) as { properties: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(schema.properties.gateway.properties.replicaCount.type, 'number');
  assert.equal(schema.properties.queueScaler.properties.enabled.type, 'boolean');
  assert.equal(schema.properties.kafka.properties.mode.type, 'string');
  assert.equal(schema.properties.secrets.properties.existingSecret.type, 'string');
});

test.run();
