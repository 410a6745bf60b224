import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { pageCsp } from '@jobs/api';

/**
 * The Content-Security-Policy of the dashboard's files: its own scripts, styles and API only
 * (Vite builds no inline script or style; React's style props are set through the CSSOM, which
 * CSP allows), `data:` images for its icon, and no framing.
 */
export const DASHBOARD_CSP = pageCsp();

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Answers GET and HEAD from the files in `root`; a path with no file behind it gets index.html
 * (a single-page app routes on the client). Paths never leave `root`.
 */
export function staticFiles(root: string): (request: Request) => Promise<Response> {
  const index = join(root, 'index.html');
  return async (request) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url).pathname);
    } catch {
      return new Response('bad path', { status: 400 });
    }
    const file = normalize(join(root, path));
    const inside = file === root || file.startsWith(root.endsWith(sep) ? root : root + sep);
    const exists = inside && path !== '/' && (await isFile(file));
    // A missing file with an extension is a 404; any other path is a page of the app.
    if (!exists && extname(path) !== '' && extname(path) !== '.html') {
      return new Response('not found', { status: 404 });
    }
    const found = exists ? file : index;
    const body = await readFile(found);
    const hashed = found.includes(`${sep}assets${sep}`);
    return new Response(request.method === 'HEAD' ? null : body, {
      headers: {
        'Content-Type': TYPES[extname(found).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': String(body.byteLength),
        'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      },
    });
  };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

const NOT_BUILT_STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#f2f2f2;padding:0 .25rem}';

/** The Content-Security-Policy of the not-built page: its inline style, by hash. */
export const NOT_BUILT_CSP = pageCsp({ styles: [NOT_BUILT_STYLE] });

/** The page at `/` while the dashboard is not built. */
export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>jobs</title>
<style>${NOT_BUILT_STYLE}</style>
</head>
<body>
<h1>jobs is running</h1>
<p>The dashboard is not built. Build it with <code>pnpm turbo run build --filter=@jobs/dashboard</code> and restart, or use:</p>
<ul>
<li><a href="/docs">/docs</a>: the API and its documentation</li>
<li><a href="/api/jobs">/api/jobs</a>: the latest jobs as JSON</li>
<li><a href="/api/stats">/api/stats</a>: counts by state and queue</li>
<li><a href="/healthz">/healthz</a></li>
</ul>
</body>
</html>
`;
