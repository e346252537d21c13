// The service worker: the pages load with no network once they were opened online. A door scanner
// that reloads (or a phone that killed the tab) during an outage must come back: its keys,
// revocations and queued scans are in IndexedDB already, but the page itself was not.
//
// Everything the build made (index.html, scripts, styles, the decoder's .wasm) is precached with
// Workbox; the list is written into this file by the build (vite.config.ts), so a new build is a
// new worker that fetches what changed and drops the rest. The API is never cached: the pages
// decide what to keep (the scanner in IndexedDB), and a stale answer must not pass for a fresh one.

import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';

const worker = self as unknown as { skipWaiting(): Promise<void>; addEventListener(type: 'install', listener: () => void): void };

// A new build takes over at once: its index.html and the assets it names are cached together, so
// the page never mixes two builds, and a fix reaches the gates on their next load.
worker.addEventListener('install', () => void worker.skipWaiting());
clientsClaim();
cleanupOutdatedCaches();
// '/' (and '/?…') is answered with the cached index.html: every page is a hash route of it.
precacheAndRoute((self as unknown as { __WB_MANIFEST: PrecacheEntry[] }).__WB_MANIFEST);
