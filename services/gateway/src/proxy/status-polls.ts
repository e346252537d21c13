import { BadGatewayError } from '@ticketping/http';
import { batchPerTurn, errorFromProblem, unwrapAnswer, type BatchAnswer } from '@ticketping/http/fast-path';
import type { Problem } from '@ticketping/http';
import type { StatusPollsBody } from '@ticketping/contracts/http';
import { LIMITS } from '@ticketping/contracts/limits';
import type { Logger } from '@ticketping/logger';
import type { Upstreams } from './upstreams.ts';

/** The queue's batch endpoint, and the most polls one call carries (the queue's own limit). */
const STATUS_POLLS_PATH = '/internal/v1/status-polls';
export const MAX_POLLS_PER_CALL = LIMITS.statusPollsPerBatch;

type Poll = StatusPollsBody['polls'][number];

/**
 * Waiting fans' status polls, most of a sale's traffic, reach the queue in batches: the polls that
 * arrive in one turn of the event loop travel in one call (the fast path's `batchPerTurn`). Each
 * fan still gets exactly the answer (status, headers, body or problem) the queue gives that poll
 * on its own, but a poll no longer costs a request and a response of its own on both sides of the
 * hop. A batch waits for nothing but the end of the current turn, so a lone poll is not delayed.
 */
export function createStatusPolls(upstreams: Upstreams, internalHeaders: Record<string, string>, logger: Logger) {
  /** The queue's answer to each poll of the batch, in order; a refused or broken call throws its AppError. */
  async function answersFor(polls: Poll[]): Promise<BatchAnswer[]> {
    const { status, body } = await upstreams.requestJson('queue', {
      method: 'POST', path: STATUS_POLLS_PATH, headers: internalHeaders, body: { polls } satisfies StatusPollsBody,
    });
    // the whole call refused (a wrong internal token, an overloaded queue): every fan sees why
    if (status !== 200) throw errorFromProblem(status, body as Partial<Problem> | undefined);
    const answers = (body as { answers?: unknown } | undefined)?.answers;
    if (!Array.isArray(answers) || answers.length !== polls.length) throw new BadGatewayError('UPSTREAM_FAILED', 'The queue service failed to answer');
    return answers as BatchAnswer[];
  }

  const poll = batchPerTurn(async (polls: Poll[]) => {
    try {
      return await answersFor(polls);
    } catch (error) {
      // requestJson has already made transport failures 502/503
      logger.warn({ err: error, polls: polls.length }, 'a batch of status polls to the queue failed');
      throw error;
    }
  }, MAX_POLLS_PER_CALL);

  return {
    /** The fan's entry as the queue answers it; a problem is thrown as the AppError it stands for. */
    async status(performanceId: string, userId: string): Promise<{ headers: Record<string, string>; body: unknown }> {
      const answer = await poll({ performanceId, userId });
      return { headers: answer.headers, body: unwrapAnswer(answer) };
    },
  };
}

export type StatusPolls = ReturnType<typeof createStatusPolls>;
