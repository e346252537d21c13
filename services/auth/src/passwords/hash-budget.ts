import { ServiceUnavailableError } from '@ticketping/http';
import type { PasswordHasher } from './password-hasher.ts';

export type HashPriority = 'login' | 'signup';

export interface HashBudgetOptions {
  /** Hashes computed at once (each takes a libuv thread and scrypt's memory). */
  concurrency: number;
  /**
   * Of those, slots sign-ups never take (at most concurrency − 1): under a flood of sign-ups a
   * login finds one free at once instead of waiting for a sign-up's hash to end, and its own
   * hash shares the CPU with fewer others.
   */
  loginReserve?: number;
  /** Requests waiting for a turn; past it the next is refused at once. */
  queueMax: number;
  /** A request that waited this long is refused rather than left to hit the gateway's deadline. */
  maxWaitMs: number;
  onRefused?: (priority: HashPriority, reason: 'queue_full' | 'waited_too_long') => void;
  /** A hash ran to its end (counted: what the budget spends, and proof that unknown e-mails cost one too). */
  onHashed?: (priority: HashPriority) => void;
}

interface Waiter { start: () => void; refuse: () => void; timer: NodeJS.Timeout }

/**
 * Bounds password hashing, the one thing in auth that costs real CPU and memory. Without a bound a
 * burst of sign-ups fills the thread pool and every request behind it (logins, refreshes, the
 * database driver's DNS) waits until the gateway gives up. With it, a few hashes run, a short
 * line waits, and the rest get a fast 503 with Retry-After that clients retry. Logins go ahead of
 * sign-ups in the line, and take the place of the last sign-up when it is full: a fan who has an
 * account should not wait behind, or be refused because of, a flood of new ones.
 */
export function createHashBudget(options: HashBudgetOptions) {
  const running: Record<HashPriority, number> = { login: 0, signup: 0 };
  const signupSlots = options.concurrency - Math.min(options.loginReserve ?? 0, options.concurrency - 1);
  const lines: Record<HashPriority, Waiter[]> = { login: [], signup: [] };
  const waiting = () => lines.login.length + lines.signup.length;
  const hasSlot = (priority: HashPriority) =>
    running.login + running.signup < options.concurrency && (priority === 'login' || running.signup < signupSlots);

  const busy = () => new ServiceUnavailableError('AUTH_BUSY', 'Too many sign-ups and logins at this moment; try again in a second', 1);

  /** A slot came free: the first login in line takes it, else the first sign-up if a sign-up may. */
  function next(): void {
    const priority: HashPriority | undefined = lines.login.length > 0 ? 'login' : lines.signup.length > 0 && hasSlot('signup') ? 'signup' : undefined;
    const waiter = priority && lines[priority].shift();
    if (!waiter) return;
    clearTimeout(waiter.timer);
    waiter.start();
  }

  async function turn(priority: HashPriority): Promise<void> {
    // logins go ahead of waiting sign-ups, so only waiting logins hold a login back
    if (hasSlot(priority) && (priority === 'login' ? lines.login.length === 0 : waiting() === 0)) {
      running[priority]++;
      return;
    }
    if (waiting() >= options.queueMax) {
      // A full line still takes a login: the sign-up that came last gives up its place.
      const bumped = priority === 'login' ? lines.signup.pop() : undefined;
      if (!bumped) {
        options.onRefused?.(priority, 'queue_full');
        throw busy();
      }
      clearTimeout(bumped.timer);
      options.onRefused?.('signup', 'queue_full');
      bumped.refuse();
    }
    await new Promise<void>((resolve, reject) => {
      const line = lines[priority];
      const waiter: Waiter = {
        start: () => { running[priority]++; resolve(); },
        refuse: () => reject(busy()),
        timer: setTimeout(() => {
          line.splice(line.indexOf(waiter), 1);
          options.onRefused?.(priority, 'waited_too_long');
          waiter.refuse();
        }, options.maxWaitMs),
      };
      line.push(waiter);
    });
  }

  return {
    /** Runs `work` when a slot is free; throws 503 AUTH_BUSY when the line is full or too slow. */
    async run<T>(priority: HashPriority, work: () => Promise<T>): Promise<T> {
      await turn(priority);
      try {
        return await work();
      } finally {
        options.onHashed?.(priority);
        running[priority]--;
        next();
      }
    },
    /** Hashes running and waiting now. */
    load: () => ({ running: running.login + running.signup, waiting: waiting() }),
  };
}

export type HashBudget = ReturnType<typeof createHashBudget>;

/** The hasher with every scrypt run inside the budget: hashing is a sign-up's, verifying a login's. */
export function budgetHasher(hasher: PasswordHasher, budget: HashBudget): PasswordHasher {
  return {
    hash: (password) => budget.run('signup', () => hasher.hash(password)),
    verify: (password, stored) => budget.run('login', () => hasher.verify(password, stored)),
    verifyAgainstDummy: (password) => budget.run('login', () => hasher.verifyAgainstDummy(password)),
  };
}
