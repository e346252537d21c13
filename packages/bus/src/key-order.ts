/**
 * Runs a batch of messages with each key's messages in order, one at a time, and different keys
 * at the same time (at most `concurrency` keys in flight). The bus promises order per key only,
 * so a handler that takes long on one key (a slow transaction, a retry's backoff) holds that key
 * alone instead of every message behind it: handled one by one, a consumer's throughput is one
 * transaction's latency, and under load confirmations queue for tens of seconds.
 *
 * Keys run at once within what one read (a Kafka fetch, an XREADGROUP) brought; the next read
 * waits for the slowest key of this one.
 *
 * A message whose handling did not finish (stopped, or waiting for a retry) ends its key's run
 * in this batch: that key's later messages are not started, so its order holds when the batch is
 * delivered again. Their results are `undefined`.
 */
export async function runInKeyOrder<T, R>(
  messages: readonly T[],
  keyOf: (message: T) => string,
  handle: (message: T) => Promise<R>,
  finished: (result: R) => boolean,
  concurrency: number,
): Promise<Array<R | undefined>> {
  const lanes = new Map<string, number[]>();
  messages.forEach((message, index) => {
    const key = keyOf(message);
    const lane = lanes.get(key);
    if (lane) lane.push(index);
    else lanes.set(key, [index]);
  });
  const results: Array<R | undefined> = new Array(messages.length).fill(undefined);
  const waiting = [...lanes.values()];
  const worker = async () => {
    for (let lane = waiting.shift(); lane; lane = waiting.shift()) {
      for (const index of lane) {
        const result = await handle(messages[index]!);
        results[index] = result;
        if (!finished(result)) break;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, lanes.size)) }, worker));
  return results;
}

/** How many keys a subscription handles at once unless it says otherwise. */
export const DEFAULT_CONCURRENCY = 8;
