#!/usr/bin/env -S node --conditions=source
/**
 * Puts dead letters back on their topic (docs/operations.md § Redrive dead letters):
 *
 *   KAFKA_BROKERS=host:9092 [KAFKA_TOPIC_PREFIX=…] npm run redrive -w @ticketping/bus -- \
 *     --topic payment.payments [--since 2026-12-06T10:00:00Z] [--until 2026-12-06T11:00:00Z] [--group booking] [--dry-run]
 *
 * Prints one JSON line: { topic, scanned, redriven, eventIds, dryRun }. Idempotent: consumers
 * skip an event their inbox already holds, so running it twice delivers nothing twice.
 */
import { parseArgs } from 'node:util';
import { createLogger } from '@ticketping/logger';
import { createKafkaBus } from './kafka-bus.ts';
import type { RedriveOptions } from './redrive.ts';

const USAGE = 'usage: KAFKA_BROKERS=… redrive-cli.ts --topic <topic> [--since <ISO time>] [--until <ISO time>] [--group <consumer group>] [--dry-run]';

function instant(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new Error(`--${name} is not a date: ${value}`);
  return at;
}

/** The redrive the command line asks for; throws a message fit for the user on a bad one. */
export function parseRedriveArgs(argv: string[]): RedriveOptions {
  const { values } = parseArgs({
    args: argv,
    options: { topic: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, group: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
    strict: true,
  });
  if (!values.topic) throw new Error('--topic is required');
  if (values.topic.endsWith('.dlq')) throw new Error('--topic names the original topic, not its .dlq');
  const options: RedriveOptions = { topic: values.topic, since: instant('since', values.since), until: instant('until', values.until), group: values.group, dryRun: values['dry-run'] };
  if (options.since && options.until && options.since >= options.until) throw new Error('--since must be before --until');
  return options;
}

async function main(): Promise<void> {
  let options: RedriveOptions;
  try {
    options = parseRedriveArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
  if (brokers.length === 0) {
    process.stderr.write(`KAFKA_BROKERS is not set\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const logger = createLogger({ service: 'redrive', level: process.env.LOG_LEVEL ?? 'warn' });
  const bus = createKafkaBus({ clientId: 'redrive', brokers, logger, topicPrefix: process.env.KAFKA_TOPIC_PREFIX ?? '' });
  try {
    process.stdout.write(`${JSON.stringify(await bus.redrive(options))}\n`);
  } finally {
    await bus.close();
  }
}

if (import.meta.main) await main();
