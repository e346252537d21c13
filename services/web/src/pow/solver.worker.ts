// Solves the waiting room's proof-of-work off the page's thread (ALTCHA v1: the number n with
// SHA-256(salt + n) = challenge), reporting how many numbers it has tried so the page can show
// progress. WebCrypto rather than a JS hash: the same primitive the ALTCHA widget uses, and the
// default difficulty is measured against it (bench/pow).

import type { PowChallenge, WorkerMessage } from '../lib/proof-of-work.ts';

const encoder = new TextEncoder();
const hex = (buffer: ArrayBuffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
// the DOM typings know the window's postMessage, not the worker scope's one-argument form
const post = (message: WorkerMessage) => (globalThis as unknown as { postMessage(message: WorkerMessage): void }).postMessage(message);

globalThis.onmessage = async (event: MessageEvent<PowChallenge>) => {
  const { challenge, maxnumber, salt } = event.data;
  const started = performance.now();
  for (let n = 0; n <= maxnumber; n++) {
    if (hex(await crypto.subtle.digest('SHA-256', encoder.encode(salt + n))) === challenge) {
      post({ type: 'solved', number: n, tried: n + 1, ms: Math.round(performance.now() - started) });
      return;
    }
    if (n % 2000 === 1999) post({ type: 'progress', tried: n + 1 });
  }
  post({ type: 'failed' });
};
