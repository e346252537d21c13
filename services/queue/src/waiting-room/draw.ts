import { createHash } from 'node:crypto';

/**
 * The pre-queue draw, exactly as entry-12.lua computes it, so anyone holding the published seed
 * can recompute it:
 *
 *   drawValue(userId) = the first 13 hex digits (52 bits) of SHA-1(seed + ":" + userId), as an integer
 *   order            = pre-queued fans by ascending drawValue; equal values by userId, byte order
 *
 * The seed is random, chosen when the queue is created, kept secret until the open (so nobody
 * can pick accounts that draw well) and committed to in advance: `drawCommitment` =
 * SHA-256(seed) hex is public from the start, so the seed cannot be swapped afterwards. A fan's
 * draw value depends only on the seed and the account, so leaving and re-entering cannot re-roll it.
 */
export function drawValue(seed: string, userId: string): number {
  return Number.parseInt(createHash('sha1').update(`${seed}:${userId}`).digest('hex').slice(0, 13), 16);
}

export function drawOrder(seed: string, userIds: string[]): string[] {
  return userIds
    .map((userId) => ({ userId, value: drawValue(seed, userId) }))
    .sort((a, b) => a.value - b.value || Buffer.compare(Buffer.from(a.userId), Buffer.from(b.userId)))
    .map((d) => d.userId);
}

export function seedCommitment(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}
