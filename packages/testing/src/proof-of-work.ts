import { createHash } from 'node:crypto';
import type { ProofOfWorkChallenge, ProofOfWorkSolution } from '@ticketping/contracts/http';

/**
 * Solves the waiting room's entry challenge (ALTCHA v1: the n ≤ maxnumber with
 * SHA-256(salt + n) = challenge) as any API client would: every test, bench and fan driver that
 * enters a queue goes through here. Synchronous node:crypto, several times faster than the
 * browser's one-digest-per-promise loop, so drivers spend little of the machine on it.
 */
export function solveProofOfWork(challenge: Pick<ProofOfWorkChallenge, 'algorithm' | 'challenge' | 'maxnumber' | 'salt' | 'signature'>): ProofOfWorkSolution {
  for (let n = 0; n <= challenge.maxnumber; n++) {
    if (createHash('sha256').update(challenge.salt + n).digest('hex') === challenge.challenge) {
      return { algorithm: challenge.algorithm, challenge: challenge.challenge, number: n, salt: challenge.salt, signature: challenge.signature };
    }
  }
  throw new Error(`no number up to ${challenge.maxnumber} solves the challenge`);
}

/** The body of `POST …/entries` for a challenge the caller just got from `POST …/challenge`. */
export function entryBody(challenge: ProofOfWorkChallenge): { proofOfWork: ProofOfWorkSolution } {
  return { proofOfWork: solveProofOfWork(challenge) };
}

export type { ProofOfWorkChallenge, ProofOfWorkSolution };
