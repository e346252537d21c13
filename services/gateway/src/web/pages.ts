import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';

const PLACEHOLDER = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>TicketPing</title></head>
<body>
<main>
<h1>TicketPing</h1>
<p>The gateway is up. The web pages are not built yet (<code>services/web/dist</code> is missing).</p>
<p>The API lives under <a href="/api/v1/openapi.yaml"><code>/api/v1</code></a>.</p>
</main>
</body>
</html>
`;

/**
 * The fan pages: the built web app when `webDist` exists (checked once at start), a placeholder
 * page otherwise. Page routes the browser asks for directly (a deep link, a reload) get the app's
 * index.html; /api paths never do.
 */
export function mountPages(router: Router, webDist: string): void {
  const isPageRequest = (req: Request) => (req.method === 'GET' || req.method === 'HEAD') && !req.path.startsWith('/api/') && Boolean(req.accepts('html'));
  const index = path.join(webDist, 'index.html');
  if (existsSync(index)) {
    // Vite names assets by content hash: they never change, so cache them for good; index.html
    // must be revalidated, or fans keep a page whose assets a deploy removed.
    router.use(express.static(webDist, {
      index: 'index.html',
      setHeaders: (res, file) => {
        res.setHeader('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }));
    router.use((req: Request, res: Response, next: NextFunction) => {
      if (!isPageRequest(req)) return next();
      res.set('cache-control', 'no-cache').sendFile(index);
    });
    return;
  }
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (!isPageRequest(req)) return next();
    res.type('html').send(PLACEHOLDER);
  });
}
