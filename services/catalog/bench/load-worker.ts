/** The bench's load generator, in its own thread so its event loop is not the server's. */
import { performance as perf } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'undici';

interface Job { origin: string; path: string; headers: Record<string, string>; concurrency: number; seconds: number }
const job = workerData as Job;
const pool = new Pool(job.origin, { connections: job.concurrency });
const latencies: number[] = [];
let bytes = 0;
const deadline = Date.now() + job.seconds * 1000;
await Promise.all(Array.from({ length: job.concurrency }, async () => {
  while (Date.now() < deadline) {
    const started = perf.now();
    const answer = await pool.request({ path: job.path, method: 'GET', headers: job.headers });
    bytes += (await answer.body.arrayBuffer()).byteLength;
    if (answer.statusCode !== 200) throw new Error(`status ${answer.statusCode}`);
    latencies.push(perf.now() - started);
  }
}));
await pool.close();
parentPort?.postMessage({ latencies, bytes });
