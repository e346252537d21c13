import { createHash } from 'node:crypto';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

/**
 * Writes the list of built files into the service worker (src/sw.ts reads `self.__WB_MANIFEST`,
 * the name Workbox's own build tools use): hashed assets are their own revision, index.html gets
 * its content's hash, so each build's worker precaches exactly that build.
 */
function precacheManifest(): Plugin {
  return {
    name: 'ticketping-precache-manifest',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const worker = bundle['sw.js'];
      if (worker?.type !== 'chunk' || !worker.code.includes('self.__WB_MANIFEST')) return this.error('sw.js was not built, or does not read self.__WB_MANIFEST');
      const entries = Object.values(bundle)
        .filter((file) => file.fileName !== 'sw.js' && !file.fileName.endsWith('.map'))
        .map((file) => ({
          url: file.fileName,
          revision: file.fileName.startsWith('assets/') ? null : createHash('sha256').update(file.type === 'chunk' ? file.code : file.source).digest('hex').slice(0, 16),
        }));
      worker.code = worker.code.replace('self.__WB_MANIFEST', JSON.stringify(entries));
    },
  };
}

// Relative asset URLs: the gateway serves dist/ at its root, and the same build works under a prefix.
export default defineConfig({
  base: './',
  // The scanner and My tickets import the tickets service's code functions from source
  // (@ticketping/tickets/codes): the very verify function the server runs, not a copy.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  plugins: [precacheManifest()],
  build: {
    target: 'es2022',
    // The service worker is built beside the pages, at a fixed name next to index.html (its scope).
    rollupOptions: {
      input: { index: 'index.html', sw: 'src/sw.ts' },
      output: { entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js') },
    },
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    reportCompressedSize: true,
  },
  server: {
    host: '127.0.0.1',
    // `npm run dev -w @ticketping/web` against `npm start`: API calls go to the gateway.
    proxy: { '/api': process.env.TICKETPING_GATEWAY_URL ?? 'http://127.0.0.1:8080' },
  },
});
