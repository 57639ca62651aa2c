import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import type { Context } from './context.ts';
import { AppError, ERROR_CODES, type AppErrorCode } from './errors.ts';
import { noteDatabaseUnavailable } from './ops/database.ts';

/** The REST route of a procedure (the guide's method and path) and what the API reference says of it. */
export interface RestRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: `/${string}`;
  tags?: string[];
  summary?: string;
  description?: string;
}

export interface Meta {
  /** Served as REST too, at this route (server/http/rest.ts), and described in the OpenAPI document. */
  openapi?: RestRoute;
  /** HTTP status of a REST success (default 200). */
  successStatus?: number;
  /**
   * The codes this procedure's own logic can answer (the OpenAPI document lists them under their
   * statuses, with those every route can answer: server/http/openapi/errors.ts).
   */
  errors?: readonly AppErrorCode[];
}

/** `Retry-After` of a 503 for a database that did not answer: the driver looks for it again within about this. */
const DATABASE_RETRY_AFTER_SECONDS = 2;

/** Turns anything a procedure threw into the AppError the client will see. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  // The database did not answer (driver deadlines, server/ops/database.ts): 503, never a 500.
  if (noteDatabaseUnavailable(error)) return new AppError('SERVICE_UNAVAILABLE', { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS });
  if (error instanceof TRPCError) {
    if (error.cause instanceof AppError) return error.cause;
    if (error.cause instanceof ZodError) return validationError(error.cause);
    if (error.code === 'PARSE_ERROR') return new AppError('VALIDATION_ERROR', {}, 'The body is not valid JSON.');
    if (error.code === 'BAD_REQUEST') return new AppError('VALIDATION_ERROR', {}, error.message);
    if (error.code === 'NOT_FOUND') return new AppError('NOT_FOUND');
    if (error.code === 'PAYLOAD_TOO_LARGE') return new AppError('PAYLOAD_TOO_LARGE');
    if (error.code === 'METHOD_NOT_SUPPORTED') return new AppError('METHOD_NOT_ALLOWED');
    if (error.code === 'UNSUPPORTED_MEDIA_TYPE') return new AppError('UNSUPPORTED_MEDIA_TYPE');
  }
  if (error instanceof ZodError) return validationError(error);
  return new AppError('INTERNAL_ERROR');
}

export function validationError(error: ZodError): AppError {
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const first = issues[0];
  const message = first ? `${first.path || 'body'}: ${first.message}` : ERROR_CODES.VALIDATION_ERROR.message;
  return new AppError('VALIDATION_ERROR', { issues }, message);
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    // The error formatter below builds every client-visible shape, without stack traces: tRPC
    // need not read (and so format) the stack of each error, a cost on every refused request.
    isDev: false,
    errorFormatter({ shape, error }) {
      const appError = toAppError(error);
      const { error: _code, message: _message, ...context } = appError.toBody();
      return {
        message: appError.message,
        code: shape.code,
        data: {
          appCode: appError.code as AppErrorCode,
          httpStatus: appError.status,
          context,
          path: shape.data.path,
        },
      };
    },
  });

export const router = t.router;
export const middleware = t.middleware;
export const publicProcedure = t.procedure;
