import type { ServerResponse } from 'node:http';
import type { AppError } from '../errors.ts';

export type ResponseHeaders = Record<string, string | string[]>;

/** A JSON answer, never cached unless `headers` say so. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: ResponseHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

/** `Retry-After` of a refusal that says when to come back. */
export function retryAfterHeader(error: AppError): Record<string, string> {
  return error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) };
}

/**
 * The guide's error answer: the code's status, `{ error, message, ...context }`, `Retry-After`.
 * A server-side failure (5xx) also names its request (`requestId`, as in `X-Request-Id` and the
 * log), for the operator; the guide's 4xx bodies stay as they are.
 */
export function sendError(res: ServerResponse, error: AppError, headers: ResponseHeaders = {}): void {
  const requestId = error.status >= 500 ? res.getHeader('x-request-id') : undefined;
  const body = typeof requestId === 'string' ? { ...error.toBody(), requestId } : error.toBody();
  sendJson(res, error.status, body, { ...retryAfterHeader(error), ...headers });
}
