import { defaultClientConditions, defineConfig } from 'vite';

// Relative asset URLs: the gateway serves dist/ at its root, and the same build works under a prefix.
export default defineConfig({
  base: './',
  // The scanner and My tickets import the tickets service's code functions from source
  // (@ticketping/tickets/codes): the very verify function the server runs, not a copy.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: {
    target: 'es2022',
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
