// Runs the proof-of-work solver in a Web Worker: the page stays responsive and can show progress.

import type { PowChallenge, PowSolution, WorkerMessage } from '../lib/proof-of-work.ts';

export function solveInWorker(challenge: PowChallenge, onProgress: (tried: number) => void, signal?: AbortSignal): Promise<PowSolution & { ms: number }> {
  const worker = new Worker(new URL('./solver.worker.ts', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    const stop = (error?: Error) => {
      worker.terminate();
      if (error) reject(error);
    };
    signal?.addEventListener('abort', () => stop(new DOMException('Aborted', 'AbortError')), { once: true });
    worker.onerror = (event) => stop(new Error(`the proof-of-work worker failed: ${event.message}`));
    worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
      const message = event.data;
      if (message.type === 'progress') onProgress(message.tried);
      else if (message.type === 'failed') stop(new Error('no number solves the challenge'));
      else {
        stop();
        const { algorithm, challenge: hash, salt, signature } = challenge;
        resolve({ algorithm, challenge: hash, number: message.number, salt, signature, ms: message.ms });
      }
    };
    worker.postMessage({ algorithm: challenge.algorithm, challenge: challenge.challenge, maxnumber: challenge.maxnumber, salt: challenge.salt, signature: challenge.signature });
  });
}
