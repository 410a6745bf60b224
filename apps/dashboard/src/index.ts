import { fileURLToPath } from 'node:url';

/**
 * The absolute path of the dashboard's built static files (index.html and assets/), for a
 * server to serve at `/` with a fallback to index.html for any other path (history routing).
 * Resolves to `dist/app` both from the compiled `dist/index.js` and from this source file.
 */
export const dashboardDir: string = fileURLToPath(new URL('../dist/app', import.meta.url));
