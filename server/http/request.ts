import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';
import { clientAddress, type TrustedProxies } from '../trust-proxy.ts';

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index <= 0) continue;
    const name = part.slice(0, index).trim();
    if (!(name in cookies)) cookies[name] = part.slice(index + 1).trim();
  }
  return cookies;
}

export function flatHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

/** The client's address, as far as the trusted proxies vouch for it (server/trust-proxy.ts). */
export function clientIp(req: IncomingMessage, trustedProxies: TrustedProxies | null): string {
  return clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustedProxies);
}

export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  // 64 random bits from randomUUID's pooled entropy: one randomBytes call per request cost ~3 µs.
  return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : `req_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

/** What an upload over the limit may still send, and for how long, before its connection is closed. */
const LINGER_BYTES = 1024 * 1024;
const LINGER_MS = 5_000;

/** Reads the body up to `limit` bytes; a larger one is refused before it is all read. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new AppError('PAYLOAD_TOO_LARGE', { limitBytes: limit }));
      req.resume();
      return;
    }
    let chunks: Buffer[] = [];
    let size = 0;
    let overLimit = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (overLimit) {
        if (size > limit + LINGER_BYTES) req.destroy();
        return;
      }
      if (size > limit) {
        overLimit = true;
        chunks = [];
        reject(new AppError('PAYLOAD_TOO_LARGE', { limitBytes: limit }));
        // A lingering close, as nginx does: what the client is still sending is read and dropped,
        // so the 413 reaches it; destroying the socket at once made the client see a reset instead
        // (a chunked upload has no Content-Length to refuse it by). Bounded: LINGER_BYTES more, LINGER_MS.
        setTimeout(() => {
          if (!req.complete) req.destroy();
        }, LINGER_MS).unref();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Parses a JSON object body; anything else is a VALIDATION_ERROR, never a crash. */
export function parseJsonObject(text: string, contentType: string | undefined): Record<string, unknown> | undefined {
  if (text.trim() === '') return undefined;
  if (contentType && !/^application\/([\w.+-]*\+)?json\b/i.test(contentType)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', {}, 'Send the body as JSON with `Content-Type: application/json`.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('VALIDATION_ERROR', { issues: [{ path: '', message: 'Malformed JSON' }] }, 'The body is not valid JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AppError('VALIDATION_ERROR', { issues: [{ path: '', message: 'Expected a JSON object' }] }, 'The body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}
