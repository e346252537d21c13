import type { PaymentConfig } from '../config.ts';
import type { PaymentProvider } from './provider.ts';
import { createSimulatedProvider } from './simulated-provider.ts';

/** The provider named in the config. A real one (Toss Payments, say) is added here behind the same interface. */
export function createProvider(config: Pick<PaymentConfig, 'PAYMENT_PROVIDER' | 'SIMULATED_PROVIDER_DELAY_MS' | 'SIMULATED_PROVIDER_MODE' | 'SIMULATED_PROVIDER_SLOW_MS' | 'SIMULATED_PROVIDER_LATE_MS'>): PaymentProvider {
  switch (config.PAYMENT_PROVIDER) {
    case 'simulated':
      return createSimulatedProvider({ delayMs: config.SIMULATED_PROVIDER_DELAY_MS, mode: config.SIMULATED_PROVIDER_MODE, slowMs: config.SIMULATED_PROVIDER_SLOW_MS, lateMs: config.SIMULATED_PROVIDER_LATE_MS });
  }
}
