// The gateway serves services/web/dist: the browser tests build it first when it is stale.

import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'vite';

export const webRoot = path.resolve(import.meta.dirname, '..');

/** True when dist/ is missing or older than any source of the pages. */
async function distIsStale(): Promise<boolean> {
  const built = await stat(path.join(webRoot, 'dist/index.html')).catch(() => undefined);
  if (!built) return true;
  const sources = ['index.html', 'vite.config.ts', 'package.json', ...(await readdir(path.join(webRoot, 'src'), { recursive: true })).map((f) => path.join('src', f))];
  for (const file of sources) if ((await stat(path.join(webRoot, file))).mtimeMs > built.mtimeMs) return true;
  return false;
}

/**
 * Builds only when stale: other suites (the Dockerfile test's turbo build) may be reading or
 * writing the same folder at the same time.
 */
export async function buildPagesIfStale(): Promise<string> {
  if (await distIsStale()) await build({ root: webRoot, logLevel: 'warn' });
  return path.join(webRoot, 'dist');
}
