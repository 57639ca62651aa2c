/**
 * Checked by `npm run typecheck` (part of `npm test`), never run: the repositories' filters and
 * updates refuse a field the document does not declare. If `TypedFilter`/`TypedUpdate` ever
 * became as permissive as the driver's `Filter<T>`, each `@ts-expect-error` below would be
 * unused, and that is a compile error.
 */
import type { ChallengeDoc, UserDoc } from '../../server/store/documents.ts';
import type { TypedFilter, TypedUpdate } from '../../server/store/typed.ts';

// @ts-expect-error a misspelt field in a filter
export const misspeltFilter: TypedFilter<ChallengeDoc> = { _id: 'chl_1', failedAtempts: { $lt: 5 } };
// @ts-expect-error a misspelt field in $inc
export const misspeltInc: TypedUpdate<ChallengeDoc> = { $inc: { failedAtempts: 1 } };
// @ts-expect-error a misspelt nested path in $set
export const misspeltPath: TypedUpdate<UserDoc> = { $set: { 'mfa.totpp': null } };
// @ts-expect-error a value the field cannot hold
export const wrongValue: TypedUpdate<ChallengeDoc> = { $set: { status: 'bogus' } };

/** What the repositories do write still typechecks. */
export const nested: TypedFilter<UserDoc> = { 'mfa.totp.lastUsedStep': { $lt: 3 }, $or: [{ phone: null }] };
export const live: TypedFilter<ChallengeDoc> = { _id: 'chl_1', status: 'pending', expiresAt: { $gt: new Date() }, failedAttempts: { $lt: 5 } };
