import { isErrorCode } from '@ticketping/contracts/errors';
import type { Logger } from '@ticketping/logger';
import { AppError } from '../errors.ts';
import { internalError, problemOf, toAppError, type Problem } from '../problem.ts';

/**
 * One answer of a batched call: what the service would have answered that request on its own.
 * A service that takes many small requests in one (the queue's status polls) settles each with
 * `settleAnswer`; the caller turns each back into a response, or into the same AppError, with
 * `unwrapAnswer`, so its own error handler renders the problem as for any other request.
 */
export interface BatchAnswer<T = unknown> {
  status: number;
  headers: Record<string, string>;
  /** The result, or a problem (RFC 9457) when `status` is 400 or more. */
  body: T | Problem;
}

/** Runs one item of a batch; a failure becomes its problem answer, never the whole batch's. */
export async function settleAnswer<T>(work: () => Promise<T>, headers: Record<string, string>, log: Pick<Logger, 'error'>): Promise<BatchAnswer<T>> {
  try {
    return { status: 200, headers, body: await work() };
  } catch (error) {
    let failure = toAppError(error);
    if (!failure) {
      log.error({ err: error }, 'batched request failed');
      failure = internalError();
    }
    return { status: failure.status, headers: failure.headers, body: problemOf(failure) };
  }
}

const PROBLEM_FIELDS = new Set(['type', 'title', 'status', 'detail', 'code', 'instance', 'requestId']);

/** The AppError a problem answer stands for (its extension members and headers kept). */
export function errorFromProblem(status: number, problem: Partial<Problem> | undefined, headers: Record<string, string> = {}): AppError {
  const extra: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(problem ?? {})) if (!PROBLEM_FIELDS.has(name)) extra[name] = value;
  // A code this build does not know (a newer service) is still a failure upstream, said as one.
  return new AppError(status, isErrorCode(problem?.code) ? problem.code : 'UPSTREAM_FAILED', problem?.title ?? 'Bad gateway', { detail: problem?.detail, extra, headers });
}

/** A success answer's body; a problem answer is thrown as its AppError. */
export function unwrapAnswer<T>(answer: BatchAnswer<T>): T {
  if (answer.status >= 400) throw errorFromProblem(answer.status, answer.body as Partial<Problem>, answer.headers);
  return answer.body as T;
}

/**
 * Gathers the items that arrive in one turn of the event loop and sends them in one call, at most
 * `maxPerCall` at a time: many small requests cost one round trip instead of one each. A lone
 * item waits for nothing but the end of the current turn. Each caller gets the answer at its own
 * item's index, or the call's failure.
 */
export function batchPerTurn<Item, Answer>(send: (items: Item[]) => Promise<Answer[]>, maxPerCall: number): (item: Item) => Promise<Answer> {
  interface Waiting { item: Item; resolve: (answer: Answer) => void; reject: (error: unknown) => void }
  let pending: Waiting[] = [];

  async function sendBatch(batch: Waiting[]): Promise<void> {
    try {
      const answers = await send(batch.map((waiting) => waiting.item));
      if (answers.length !== batch.length) throw new Error(`a batch of ${batch.length} got ${answers.length} answers`);
      batch.forEach((waiting, i) => waiting.resolve(answers[i]!));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }

  const flush = () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    void sendBatch(batch);
  };

  return (item) => new Promise<Answer>((resolve, reject) => {
    const count = pending.push({ item, resolve, reject });
    if (count === 1) setImmediate(flush);
    else if (count >= maxPerCall) flush();
  });
}
