/**
 * A small structured logger. Fields whose names look like secrets are redacted before a line is
 * written, as a second line of defence: callers are expected never to pass a secret at all.
 */
export type LogLevel = 'silent' | 'error' | 'info' | 'debug';
export type LogFields = Record<string, unknown>;

export interface Logger {
  error(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { silent: 0, error: 1, info: 2, debug: 3 };
const SECRET_FIELD = /(code|token|password|secret|key|authorization|cookie|otp)/i;

export function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [name, value] of Object.entries(fields)) {
    out[name] = SECRET_FIELD.test(name) && name !== 'errorCode' && name !== 'statusCode' ? '[redacted]' : value;
  }
  return out;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stdout.write(line + '\n')): Logger {
  const emit = (at: LogLevel, message: string, fields?: LogFields) => {
    if (ORDER[at] > ORDER[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: at, message, ...(fields ? redact(fields) : {}) }));
  };
  return {
    error: (message, fields) => emit('error', message, fields),
    info: (message, fields) => emit('info', message, fields),
    debug: (message, fields) => emit('debug', message, fields),
  };
}
