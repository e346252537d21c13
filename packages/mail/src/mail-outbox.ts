import { setTimeout as sleep } from 'node:timers/promises';
import { MailError } from './mailer.ts';

/** A mail waiting in a service's outbox table: how often sending it failed so far. */
export interface OutboxMail { attempts: number }

/**
 * A service's mail outbox, over its own table: rows written in the same transaction as what they
 * announce (a sign-up, a confirmed order), locked while their mail goes out so two replicas never
 * send the same one.
 */
export interface MailOutbox<M extends OutboxMail, Tx> {
  transaction<R>(work: (tx: Tx) => Promise<R>): Promise<R>;
  /** The mails due now, locked for this transaction (SKIP LOCKED: another replica takes others). */
  lockDue(tx: Tx, limit: number): Promise<M[]>;
  /** Sends the mail and marks it sent; false when there was nothing to send (the outbox marked why). */
  send(tx: Tx, mail: M): Promise<boolean>;
  markRetry(tx: Tx, mail: M, delayMs: number, error: string): Promise<void>;
  markFailed(tx: Tx, mail: M, error: string): Promise<void>;
  /** What the log lines name the mail by (e.g. `{ orderId }`). */
  logFields(mail: M): Record<string, unknown>;
}

export interface MailOutboxOptions {
  /** Names the mail in log lines, e.g. "ticket mail". */
  name: string;
  logger: { warn(fields: object, message: string): void; error(fields: object, message: string): void };
  pollIntervalMs: number;
  /** Mails taken in one pass; the rest wait for the next. */
  batchSize?: number;
  /** After this many failed attempts a mail is given up (and logged at error level). */
  maxAttempts?: number;
  /**
   * Passes run side by side, each in its own transaction on its own rows, so many mails go out over
   * the mailer's pooled connections, not one after the other. Each holds a database connection
   * while it sends. Default 1.
   */
  concurrency?: number;
  /** Called once per mail that went out (a counter). */
  onSent?: () => void;
}

export interface MailOutboxSender {
  /** One pass over the due mails; returns how many were sent. Tests call it directly. */
  sendDue(): Promise<number>;
  stop(): Promise<void>;
}

/** Exponential backoff from 2 s, at most 10 min: a mail server down for a while is not hammered. */
export const retryDelayMs = (attempts: number) => Math.min(600_000, 2000 * 2 ** attempts);

/**
 * Drains a mail outbox until stopped: a crash after the server took a mail but before the commit
 * sends it again (at least once; the Message-ID the outbox gives it stays the same). A transient
 * failure is retried with backoff, a permanent one (or the last attempt) is given up.
 */
export function startMailOutbox<M extends OutboxMail, Tx>(outbox: MailOutbox<M, Tx>, options: MailOutboxOptions): MailOutboxSender {
  const { name, logger, batchSize = 20, maxAttempts = 8, concurrency = 1 } = options;

  /** One pass: how many mails it took (sent, retried or given up) and how many went out. */
  function pass(): Promise<{ taken: number; sent: number }> {
    return outbox.transaction(async (tx) => {
      let sent = 0;
      const due = await outbox.lockDue(tx, batchSize);
      for (const mail of due) {
        try {
          if (await outbox.send(tx, mail)) {
            sent++;
            options.onSent?.();
          }
        } catch (error) {
          const fields = { err: error, ...outbox.logFields(mail), attempts: mail.attempts + 1 };
          // the detail names the server and quotes its reply; the title alone says too little to act on
          const message = (error instanceof MailError && error.detail) || (error as Error).message;
          if ((error instanceof MailError && !error.transient) || mail.attempts + 1 >= maxAttempts) {
            logger.error(fields, `${name} given up`);
            await outbox.markFailed(tx, mail, message);
          } else {
            const delayMs = retryDelayMs(mail.attempts);
            logger.warn({ ...fields, retryInMs: delayMs }, `${name} not sent; will retry`);
            await outbox.markRetry(tx, mail, delayMs, message);
          }
        }
      }
      return { taken: due.length, sent };
    });
  }

  const controller = new AbortController();
  const loop = (async () => {
    while (!controller.signal.aborted) {
      // Settled, not all: stop() waits for every pass, and one failing pass leaves the others be.
      const passes = await Promise.allSettled(Array.from({ length: concurrency }, () => pass()));
      for (const failed of passes) if (failed.status === 'rejected') logger.error({ err: failed.reason }, `${name} pass failed`);
      // A full pass means more were due: go on at once instead of waiting out the interval.
      const more = passes.some((p) => p.status === 'fulfilled' && p.value.taken === batchSize);
      if (!more) await sleep(options.pollIntervalMs, undefined, { signal: controller.signal }).catch(() => undefined);
    }
  })();

  return {
    async sendDue() {
      return (await pass()).sent;
    },
    async stop() {
      controller.abort();
      await loop;
    },
  };
}
