import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ProofOfWorkSolution } from '@ticketping/contracts/http';

/**
 * ALTCHA v1 verification (what altcha-lib's `verifySolution` does: SHA-256(salt + number) must be
 * the challenge, and HMAC-SHA-256 of the challenge under the key its signature), with node:crypto
 * instead of WebCrypto. The library's promise-per-digest path costs several times the CPU of this
 * on every entry (bench/pow, bench/RESULTS.md), and the entry path is the hot one. The library
 * stays the reference: verify.test.ts holds the two to the same answers.
 */
export function verifySolutionSync(solution: ProofOfWorkSolution, hmacKey: string): boolean {
  const challenge = createHash('sha256').update(solution.salt + String(solution.number)).digest('hex');
  if (challenge !== solution.challenge) return false;
  const signature = Buffer.from(createHmac('sha256', hmacKey).update(challenge).digest('hex'));
  const given = Buffer.from(solution.signature);
  return given.length === signature.length && timingSafeEqual(given, signature);
}
