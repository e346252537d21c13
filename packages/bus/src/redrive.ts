import { DLQ_HEADERS } from './envelope.ts';

/** Which dead letters of one topic to put back. */
export interface RedriveOptions {
  /** The original topic (`payment.payments`); its dead letters are read from `<topic>.dlq`. */
  topic: string;
  /** Only dead letters that failed at or after this instant. */
  since?: Date | undefined;
  /** Only dead letters that failed before this instant. */
  until?: Date | undefined;
  /** Only those one consumer group dead-lettered (`x-dlq-group`). */
  group?: string | undefined;
  /** Count what would be redriven, publish nothing. */
  dryRun?: boolean | undefined;
}

export interface RedriveResult {
  topic: string;
  /** Dead letters read from `<topic>.dlq`. */
  scanned: number;
  /** Put back on the topic (or, in a dry run, that would be). */
  redriven: number;
  /** Their event ids (the first 1000), for the record. */
  eventIds: string[];
  dryRun: boolean;
}

/** The message as it is read from a dead-letter topic. */
export interface DeadLetter {
  headers: Record<string, string>;
  /** When the message was written to the DLQ (the broker's or the memory bus's clock). */
  writtenAtMs: number;
}

const MAX_IDS = 1000;

/** When it failed: the header the bus wrote, else when it reached the DLQ. */
function failedAtMs(letter: DeadLetter): number {
  const header = Date.parse(letter.headers[DLQ_HEADERS.failedAt] ?? '');
  return Number.isFinite(header) ? header : letter.writtenAtMs;
}

export function matchesRedrive(letter: DeadLetter, options: RedriveOptions): boolean {
  const at = failedAtMs(letter);
  if (options.since && at < options.since.getTime()) return false;
  if (options.until && at >= options.until.getTime()) return false;
  if (options.group && letter.headers[DLQ_HEADERS.group] !== options.group) return false;
  return true;
}

/**
 * The headers of the message as it goes back: the original's (trace context included) without the
 * failure's, plus when it was redriven. The event id is unchanged, so a consumer that applied it
 * already (its inbox has the id) skips it: redriving twice, or a dead letter of one group that
 * the other groups handled, is harmless.
 */
export function redrivenHeaders(headers: Record<string, string>, now = new Date()): Record<string, string> {
  const dlqNames = new Set<string>(Object.values(DLQ_HEADERS));
  const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => !dlqNames.has(name)));
  return { ...kept, [DLQ_HEADERS.redrivenAt]: now.toISOString() };
}

/** Accumulates a redrive's figures. */
export function redriveTally(options: RedriveOptions) {
  const result: RedriveResult = { topic: options.topic, scanned: 0, redriven: 0, eventIds: [], dryRun: Boolean(options.dryRun) };
  return {
    result,
    scanned() {
      result.scanned++;
    },
    redriven(eventId: string | undefined) {
      result.redriven++;
      if (eventId && result.eventIds.length < MAX_IDS) result.eventIds.push(eventId);
    },
  };
}

/** The event id of an encoded envelope, if it is one (a foreign message may not be). */
export function eventIdOf(value: string | Buffer | null): string | undefined {
  try {
    const parsed = JSON.parse(value?.toString() ?? '') as { id?: unknown } | null;
    return typeof parsed?.id === 'string' ? parsed.id : undefined;
  } catch {
    return undefined;
  }
}
