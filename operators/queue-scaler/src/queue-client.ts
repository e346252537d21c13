/**
 * The queue service's internal route for the operator's own rate field
 * (PUT /internal/v1/queues/{id}/operator-rate, internal token). The operator never writes the
 * queue's Redis config: the admin's admitPerMinute has one writer, and so has this rate.
 */
export interface OperatorRateAnswer {
  performanceId: string;
  /** The admin's setting: the ceiling. */
  admitPerMinute: number;
  operatorAdmitPerMinute: number;
  effectiveAdmitPerMinute: number;
  expiresAt: string;
}

export type QueueClient = ReturnType<typeof createQueueClient>;

export function createQueueClient(options: { baseUrl: string; internalToken: string; timeoutMs: number }) {
  const base = options.baseUrl.replace(/\/$/, '');
  return {
    /** Undefined when the queue does not exist (404). */
    async setOperatorRate(performanceId: string, admitPerMinute: number, ttlSeconds: number): Promise<OperatorRateAnswer | undefined> {
      const res = await fetch(`${base}/internal/v1/queues/${encodeURIComponent(performanceId)}/operator-rate`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-internal-token': options.internalToken },
        body: JSON.stringify({ admitPerMinute, ttlSeconds }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`queue answered ${res.status} to the operator rate: ${(await res.text()).slice(0, 200)}`);
      return (await res.json()) as OperatorRateAnswer;
    },
  };
}
