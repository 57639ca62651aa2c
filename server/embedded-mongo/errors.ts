import type { Document } from 'mongodb';

/** MongoDB server error codes the engine answers with (same numbers and names as a real mongod). */
export const ErrorCode = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  TypeMismatch: 14,
  Unauthorized: 13,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  PathNotViable: 28,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  CannotIndexParallelArrays: 171,
  InvalidIndexSpecificationOption: 197,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  CannotCreateIndex: 67,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  InvalidPipelineOperator: 168,
  NotImplemented: 238,
  ConversionFailure: 241,
  DuplicateKey: 11000,
} as const;

/** A named code, or an assertion location MongoDB answers as `Location<n>` (e.g. 40415 unknown field). */
export type ErrorCodeName = keyof typeof ErrorCode | `Location${number}`;

/** A command failure, answered as `{ok: 0, errmsg, code, codeName, ...extra}`. */
export class CommandError extends Error {
  readonly code: number;
  readonly codeName: string;
  readonly extra: Document;

  constructor(codeName: ErrorCodeName, message: string, extra: Document = {}) {
    super(message);
    this.code = codeName.startsWith('Location') ? Number(codeName.slice('Location'.length)) : ErrorCode[codeName as keyof typeof ErrorCode];
    this.codeName = codeName;
    this.extra = extra;
  }

  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }

  /** The shape of one entry of a write command's `writeErrors` array. */
  toWriteError(index: number): Document {
    return { index, code: this.code, codeName: this.codeName, errmsg: this.message, ...this.extra };
  }
}

export function badValue(message: string): CommandError {
  return new CommandError('BadValue', message);
}

/** For features MongoDB has but this engine deliberately does not implement. */
export function notImplemented(feature: string): CommandError {
  return new CommandError('NotImplemented', `${feature} is not supported by the embedded MongoDB engine`);
}

/** MongoDB's IDL parser refusing a field the command does not define (code 40415). */
export function unknownField(path: string): CommandError {
  return new CommandError('Location40415', `BSON field '${path}' is an unknown field.`);
}
