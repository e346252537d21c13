// What the pages remember in the browser between reloads. The server stays the source of truth:
// these only save a round trip or add context the API does not return.

interface QueuePass { token: string; expiresAt: string }

const read = <T>(storage: Storage, key: string): T | undefined => {
  try {
    const raw = storage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
};
const write = (storage: Storage, key: string, value: unknown) => storage.setItem(key, JSON.stringify(value));

/** The admission token per performance, for `X-Queue-Token`; per tab, like the visit it belongs to. */
export const queuePasses = {
  get(performanceId: string, nowMs = Date.now()): QueuePass | undefined {
    const pass = read<QueuePass>(sessionStorage, `ticketping.queuePass.${performanceId}`);
    return pass && Date.parse(pass.expiresAt) > nowMs ? pass : undefined;
  },
  set(performanceId: string, pass: QueuePass) {
    write(sessionStorage, `ticketping.queuePass.${performanceId}`, pass);
  },
  clear(performanceId: string) {
    sessionStorage.removeItem(`ticketping.queuePass.${performanceId}`);
  },
};

/** How many people were ahead when the fan joined, so the progress bar survives a reload. */
export const queueBaselines = {
  get: (performanceId: string) => read<number>(sessionStorage, `ticketping.queueBaseline.${performanceId}`),
  set: (performanceId: string, ahead: number) => write(sessionStorage, `ticketping.queueBaseline.${performanceId}`, ahead),
  clear: (performanceId: string) => sessionStorage.removeItem(`ticketping.queueBaseline.${performanceId}`),
};
