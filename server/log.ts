/**
 * Structured JSON logs through pino: `{"level":"info","time":"…","message":"…",…fields}`, one line
 * each. Fields whose names look like secrets (codes, tokens, keys, passwords, cookies, phones)
 * are redacted before a line is written, as a second line of defence: callers are expected never
 * to pass a secret at all.
 */
import { pino, stdTimeFunctions } from 'pino';

export type LogLevel = 'silent' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
export const LOG_LEVELS: readonly LogLevel[] = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'];
export type LogFields = Record<string, unknown>;

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
}

/** Field names never written as they are (`errorCode`, `statusCode` are codes of another kind). */
const SECRET_FIELD = /(code|token|password|secret|key|authorization|cookie|otp|phone|jwk)/i;
const NOT_SECRET = new Set(['errorCode', 'statusCode']);
export const REDACTED = '[redacted]';

export function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [name, value] of Object.entries(fields)) {
    out[name] = SECRET_FIELD.test(name) && !NOT_SECRET.has(name) ? REDACTED : value;
  }
  return out;
}

/**
 * A logger at `level`, writing JSON lines to stdout (or to `write`, one line per call without
 * its newline: tests collect them).
 */
export function createLogger(level: LogLevel, write?: (line: string) => void): Logger {
  if (!LOG_LEVELS.includes(level)) throw new Error(`log level must be one of ${LOG_LEVELS.join(', ')}, got ${String(level)}`);
  const destination = write ? { write: (chunk: string) => write(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) } : pino.destination({ fd: 1, sync: true });
  const base = pino(
    {
      level,
      base: undefined,
      messageKey: 'message',
      timestamp: stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => redact(fields),
      },
    },
    destination,
  );
  const at = (method: 'error' | 'warn' | 'info' | 'debug') => (message: string, fields?: LogFields) => {
    if (fields) base[method](fields, message);
    else base[method](message);
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}
