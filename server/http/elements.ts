import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { AppError } from '../errors.ts';

/**
 * `/v1/elements/{file}`: the built elements, for a tenant's
 * `<script type="module" src="https://acme.aldero.io/v1/elements/index.js">`. The same on every
 * host, no tenant needed, readable from any origin (a module script is a CORS request). The
 * entries (`index.js`, `aldero-mfa-challenge.js`, `aldero-sms-enroll.js`,
 * `aldero-recovery-codes.js`, `custom-elements.json`) keep their names from one release to the
 * next, so a page revalidates them after a few minutes (ETag, 304); the chunks under `chunks/`
 * carry their content's hash in their name and are cached for a year.
 */
export const ELEMENTS_ROUTE = /^\/v1\/elements\/(.+)$/;

/** `npm run build` writes the elements to dist/components (components/vite.lib.config.ts). */
export const DEFAULT_ELEMENTS_DIR = fileURLToPath(
  new URL(import.meta.url.endsWith('.js') ? '../../components/' : '../../dist/components/', import.meta.url),
);

/** Every name the build writes, and nothing else (no path leaves the folder). */
const SERVED = /^(?:(?:index|aldero-[a-z-]+)\.js|custom-elements\.json|chunks\/[A-Za-z0-9_-]+\.js)(?:\.map)?$/;
const ENTRY_CACHE = 'public, max-age=300';
const CHUNK_CACHE = 'public, max-age=31536000, immutable';

interface Served {
  mtimeMs: number;
  size: number;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

const loaded = new Map<string, Served>();

async function load(file: string): Promise<Served | null> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return null;
  const known = loaded.get(file);
  // A rebuild while the server runs (development) is served at once: the file changed on disk.
  if (known && known.mtimeMs === info.mtimeMs && known.size === info.size) return known;
  const body = await readFile(file);
  const served = {
    mtimeMs: info.mtimeMs,
    size: info.size,
    body,
    gzip: gzipSync(body, { level: 9 }),
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
  };
  loaded.set(file, served);
  return served;
}

export async function serveElements(req: IncomingMessage, res: ServerResponse, dir: string, name: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new AppError('METHOD_NOT_ALLOWED');
  const served = SERVED.test(name) ? await load(join(dir, name)) : null;
  if (!served) throw new AppError('NOT_FOUND', {}, `No element file ${name}: the elements are built by \`npm run build\`.`);
  const type = name.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'application/json; charset=utf-8';
  const headers: Record<string, string | number> = {
    'content-type': type,
    'cache-control': name.startsWith('chunks/') ? CHUNK_CACHE : ENTRY_CACHE,
    etag: served.etag,
    vary: 'accept-encoding',
    'access-control-allow-origin': '*',
    'cross-origin-resource-policy': 'cross-origin',
    'x-content-type-options': 'nosniff',
  };
  if (req.headers['if-none-match']?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === served.etag)) {
    res.writeHead(304, headers);
    return void res.end();
  }
  const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
  const body = gzip ? served.gzip : served.body;
  if (gzip) headers['content-encoding'] = 'gzip';
  headers['content-length'] = body.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}
