import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEMO_PATH, DOCS_PATH } from './guide.ts';

/**
 * `/api/docs`: the interactive API reference, Swagger UI rendering `/v1/openapi.json` of the
 * host it is opened on, served from our own origin (the files of the `swagger-ui-dist` package,
 * no CDN), with the guide's flow as its introduction (the document's `info.description`).
 *
 * `/api/docs/demo`: the live demo the guide links to. The demo is a single-page app rooted at
 * `/` (its routes, assets and API calls are absolute), so the link sends the user there, to the
 * sign-up page the guide's sentence starts with, rather than serving a copy that would break at
 * its first link.
 */

/** Where the demo's sign-up page is: the guide says "sign up and enable SMS Code under MFA settings". */
export const DEMO_START = '/signup';

const SPEC_URL = '/v1/openapi.json';
const ASSETS: Record<string, { file: string; type: string }> = {
  'swagger-ui.css': { file: 'swagger-ui.css', type: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': { file: 'swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8' },
  'favicon-32x32.png': { file: 'favicon-32x32.png', type: 'image/png' },
};

const assetDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/swagger-ui-bundle.js'));

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Aldero SMS MFA — API reference</title>
    <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png">
    <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
    <style>body { margin: 0; } .aldero-bar { font: 14px/1.4 system-ui, sans-serif; padding: 10px 20px; background: #1f2a44; color: #fff; } .aldero-bar a { color: #9cc3ff; }</style>
  </head>
  <body>
    <div class="aldero-bar">Aldero SMS MFA · <a href="${SPEC_URL}">${SPEC_URL}</a> · <a href="${DEMO_PATH}">Try it live</a></div>
    <div id="swagger-ui"></div>
    <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${DOCS_PATH}/init.js"></script>
  </body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(SPEC_URL)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  docExpansion: 'list',
  defaultModelsExpandDepth: 0,
  displayRequestDuration: true,
  persistAuthorization: false,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

/** The page may load only its own scripts; Swagger UI styles itself inline; "Try it out" calls tenant hosts. */
const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src *; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
  cacheControl: string;
}

const cache = new Map<string, Promise<Asset>>();

function asset(name: string, load: () => Promise<Buffer>, type: string, cacheControl: string): Promise<Asset> {
  let entry = cache.get(name);
  if (!entry) {
    entry = load().then((body) => ({ type, body, gzip: gzipSync(body), cacheControl }));
    entry.catch(() => cache.delete(name));
    cache.set(name, entry);
  }
  return entry;
}

function send(req: IncomingMessage, res: ServerResponse, file: Asset, extra: Record<string, string> = {}): void {
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? file.gzip : file.body;
  res.writeHead(200, {
    'content-type': file.type,
    'content-length': body.length,
    'cache-control': file.cacheControl,
    'x-content-type-options': 'nosniff',
    vary: 'Accept-Encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    ...extra,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(text);
}

/** Whether a path is the reference's or the demo link's. */
export function isApiDocsPath(path: string): boolean {
  return path === DOCS_PATH || path.startsWith(`${DOCS_PATH}/`);
}

export interface ApiDocsOptions {
  /** Whether the built demo is served at `/` by this process (npm start). */
  demoServed: boolean;
}

/** Answers a request under `/api/docs` (see `isApiDocsPath`). */
export async function serveApiDocs(req: IncomingMessage, res: ServerResponse, path: string, options: ApiDocsOptions): Promise<void> {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') return plain(res, 405, 'Method not allowed.\n', { allow: 'GET, HEAD' });
  const rest = path.slice(DOCS_PATH.length).replace(/^\/+/, '');

  if (rest === 'demo' || rest.startsWith('demo/')) {
    if (!options.demoServed) return plain(res, 404, 'The demo is not built on this server: run `npm run build`, then `npm start`.\n');
    res.writeHead(302, { location: DEMO_START, 'cache-control': 'no-store' });
    return void res.end();
  }
  if (rest === '' || rest === 'index.html') {
    const page = await asset('page', async () => Buffer.from(PAGE), 'text/html; charset=utf-8', 'no-cache');
    return send(req, res, page, { 'content-security-policy': CONTENT_SECURITY_POLICY, 'referrer-policy': 'no-referrer' });
  }
  if (rest === 'init.js') return send(req, res, await asset('init', async () => Buffer.from(INIT), 'text/javascript; charset=utf-8', 'no-cache'));
  const known = ASSETS[rest];
  if (known) {
    return send(req, res, await asset(rest, () => readFile(join(assetDir, known.file)), known.type, 'public, max-age=86400'));
  }
  return plain(res, 404, 'Not found.\n');
}
