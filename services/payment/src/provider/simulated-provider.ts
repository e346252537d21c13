import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChargeRequest, ChargeResult, PaymentProvider, RefundRequest } from './provider.ts';

/** Test cards of the simulated provider (docs/api.md). */
export const TEST_CARDS = { approved: '4242424242424242', declined: '4000000000000002' } as const;

export interface SimulatorSettings {
  /** Delay before approving a card other than the two test cards. */
  delayMs: number;
  /**
   * `slow`: every call takes `slowMs`; `fail`: every call errors (a provider outage); `late`: a
   * charge is accepted but settles only `lateMs` after the call (a bank that answers late): the
   * call waits for it, so a shorter timeout loses the answer, and `lookup` does not know the
   * charge until it settled.
   */
  mode: 'normal' | 'slow' | 'fail' | 'late';
  slowMs: number;
  /** `late` mode: how long after the call a charge settles (default 20 s). */
  lateMs?: number;
}

export class ProviderOutageError extends Error {
  constructor() {
    super('simulated provider outage');
    this.name = 'ProviderOutageError';
  }
}

/**
 * The built-in provider: keeps its charges in memory, is idempotent like a real one (the same
 * payment id charged twice is one charge) and honours the abort signal. Tests change its
 * behaviour with `configure`.
 */
export interface SimulatedProvider extends PaymentProvider {
  configure(settings: Partial<SimulatorSettings>): void;
  /** Charges and refunds it has made, for tests to check nothing was paid twice. */
  readonly ledger: { charges: Map<string, { result: ChargeResult; amount: number }>; refunds: Map<string, { paymentId: string; amount: number }> };
}

export function createSimulatedProvider(initial: SimulatorSettings): SimulatedProvider {
  let settings = { ...initial };
  const charges = new Map<string, { result: ChargeResult; amount: number }>();
  const refunds = new Map<string, { paymentId: string; amount: number }>();
  /** `late` mode: charges accepted but not settled yet, by payment id. */
  const settling = new Map<string, Promise<ChargeResult>>();

  /** Settles the charge after `lateMs` whatever becomes of the call (the bank does not care that we stopped waiting). */
  function settleLate(request: ChargeRequest, result: ChargeResult): Promise<ChargeResult> {
    let pending = settling.get(request.paymentId);
    if (!pending) {
      pending = new Promise<ChargeResult>((resolve) => {
        setTimeout(() => {
          charges.set(request.paymentId, { result, amount: request.amount });
          settling.delete(request.paymentId);
          resolve(result);
        }, settings.lateMs ?? 20_000).unref();
      });
      settling.set(request.paymentId, pending);
    }
    return pending;
  }

  /** `late` mode delays only charges: lookups and refunds answer at once. */
  async function behave(signal: AbortSignal, normalDelayMs = 0): Promise<void> {
    if (settings.mode === 'fail') throw new ProviderOutageError();
    const wait = settings.mode === 'slow' ? settings.slowMs : normalDelayMs;
    if (wait > 0) await sleep(wait, undefined, { signal });
  }

  return {
    name: 'simulated',
    ledger: { charges, refunds },
    configure(changes) {
      settings = { ...settings, ...changes };
    },
    async charge(request: ChargeRequest, signal: AbortSignal): Promise<ChargeResult> {
      const known = charges.get(request.paymentId);
      if (known) return known.result;
      const card = request.method.cardNumber;
      const decide = (): ChargeResult => (card === TEST_CARDS.declined ? { outcome: 'declined', reason: 'CARD_DECLINED' } : { outcome: 'approved', reference: `sim_${randomUUID()}` });
      if (settings.mode === 'late' || settling.has(request.paymentId)) {
        const settled = settleLate(request, decide());
        return new Promise<ChargeResult>((resolve, reject) => {
          if (signal.aborted) return reject(signal.reason as Error);
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
          void settled.then(resolve);
        });
      }
      await behave(signal, card === TEST_CARDS.approved || card === TEST_CARDS.declined ? 0 : settings.delayMs);
      const result = decide();
      charges.set(request.paymentId, { result, amount: request.amount });
      return result;
    },
    async lookup(paymentId: string, signal: AbortSignal) {
      await behave(signal);
      return charges.get(paymentId)?.result ?? { outcome: 'not_found' as const };
    },
    async refund(request: RefundRequest, signal: AbortSignal) {
      const known = refunds.get(request.idempotencyKey);
      if (known) return { reference: request.idempotencyKey };
      await behave(signal);
      const charge = charges.get(request.paymentId);
      if (charge?.result.outcome !== 'approved') throw new Error(`no approved charge ${request.paymentId} to refund`);
      refunds.set(request.idempotencyKey, { paymentId: request.paymentId, amount: request.amount });
      return { reference: request.idempotencyKey };
    },
  };
}
