import { BadGatewayError, errorFromProblem, unwrapAnswer, type AppError, type BatchAnswer, type Problem } from '@ticketping/http';
import type { StatusPollsBody } from '@ticketping/contracts/http';
import { LIMITS } from '@ticketping/contracts/limits';
import type { Logger } from '@ticketping/logger';
import type { Upstreams } from './upstreams.ts';

/** The queue's batch endpoint, and the most polls one call carries (the queue's own limit). */
const STATUS_POLLS_PATH = '/internal/v1/status-polls';
export const MAX_POLLS_PER_CALL = LIMITS.statusPollsPerBatch;

interface Poll {
  performanceId: string;
  userId: string;
  resolve: (answer: BatchAnswer) => void;
  reject: (error: AppError) => void;
}

/**
 * Waiting fans' status polls, most of a sale's traffic, reach the queue in batches: the polls that
 * arrive in one turn of the event loop travel in one call. Each fan still gets exactly the answer
 * (status, headers, body or problem) the queue gives that poll on its own, but a poll no longer
 * costs a request and a response of its own on both sides of the hop (bench/queue: half the CPU).
 * A batch waits for nothing but the end of the current turn, so a lone poll is not delayed.
 */
export function createStatusPolls(upstreams: Upstreams, internalHeaders: Record<string, string>, logger: Logger) {
  let pending: Poll[] = [];

  /** The queue's answer to each poll of the batch, in order; a refused or broken call throws its AppError. */
  async function answersFor(batch: Poll[]): Promise<BatchAnswer[]> {
    const { status, body } = await upstreams.requestJson('queue', {
      method: 'POST', path: STATUS_POLLS_PATH, headers: internalHeaders,
      body: { polls: batch.map(({ performanceId, userId }) => ({ performanceId, userId })) } satisfies StatusPollsBody,
    });
    // the whole call refused (a wrong internal token, an overloaded queue): every fan sees why
    if (status !== 200) throw errorFromProblem(status, body as Partial<Problem> | undefined);
    const answers = (body as { answers?: unknown } | undefined)?.answers;
    if (!Array.isArray(answers) || answers.length !== batch.length) throw new BadGatewayError('UPSTREAM_FAILED', 'The queue service failed to answer');
    return answers as BatchAnswer[];
  }

  async function send(batch: Poll[]): Promise<void> {
    try {
      const answers = await answersFor(batch);
      batch.forEach((poll, i) => poll.resolve(answers[i]!));
    } catch (error) {
      // requestJson has already made transport failures 502/503
      logger.warn({ err: error, polls: batch.length }, 'a batch of status polls to the queue failed');
      for (const poll of batch) poll.reject(error as AppError);
    }
  }

  const flush = () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    void send(batch);
  };

  return {
    /** The fan's entry as the queue answers it; a problem is thrown as the AppError it stands for. */
    async status(performanceId: string, userId: string): Promise<{ headers: Record<string, string>; body: unknown }> {
      const answer = await new Promise<BatchAnswer>((resolve, reject) => {
        const count = pending.push({ performanceId, userId, resolve, reject });
        if (count === 1) setImmediate(flush);
        else if (count >= MAX_POLLS_PER_CALL) flush();
      });
      return { headers: answer.headers, body: unwrapAnswer(answer) };
    },
  };
}

export type StatusPolls = ReturnType<typeof createStatusPolls>;
