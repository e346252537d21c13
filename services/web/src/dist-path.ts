// Where `npm run build -w @ticketping/web` writes the pages, for the gateway to serve as static files.
import { fileURLToPath } from 'node:url';

export const webDistDir = fileURLToPath(new URL('../dist/', import.meta.url));
