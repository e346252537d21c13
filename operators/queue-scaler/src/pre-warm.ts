/**
 * Pre-warm before a scheduled open (pure; the clock is passed in). A generic autoscaler sees the
 * crowd only once it is in line; this operator knows when each waiting room opens (`opensAtMs`)
 * and how many fans are in its pre-queue, so from `leadSeconds` before the open it holds the
 * target at ceil(pre-queued / fansPerReplica) replicas, summed over the rooms about to open, and
 * `holdSeconds` after the open it hands back to the live signal.
 */
export interface PreWarmSpec {
  leadSeconds: number;
  holdSeconds: number;
  fansPerReplica: number;
}

export interface Opening {
  performanceId: string;
  /** 0: the room opened at once, nothing to pre-warm for. */
  opensAtMs: number;
  /** Fans drawn at the open: the pre-queue's size (its count at the open, once opened). */
  preQueued: number;
}

export interface PreWarmFloor {
  replicas: number;
  message: string;
}

export function preWarmFloor(spec: PreWarmSpec, openings: readonly Opening[], nowMs: number): PreWarmFloor | undefined {
  const inWindow = openings.filter((o) => o.opensAtMs > 0 && o.preQueued > 0
    && nowMs >= o.opensAtMs - spec.leadSeconds * 1000 && nowMs < o.opensAtMs + spec.holdSeconds * 1000);
  if (inWindow.length === 0) return undefined;
  const replicas = inWindow.reduce((sum, o) => sum + Math.ceil(o.preQueued / spec.fansPerReplica), 0);
  const parts = inWindow.map((o) => {
    const seconds = Math.round((o.opensAtMs - nowMs) / 1000);
    const when = seconds > 0 ? `opens in ${seconds}s` : `opened ${-seconds}s ago`;
    return `${o.performanceId} ${when} with ${o.preQueued} pre-queued`;
  });
  return { replicas, message: `pre-warmed to ${replicas} at ${spec.fansPerReplica} fans per replica: ${parts.join('; ')}` };
}
