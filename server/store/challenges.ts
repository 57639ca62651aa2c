import type { TypedFilter, TypedUpdate } from './typed.ts';
import { MAX_FAILED_ATTEMPTS, MAX_SENDS_PER_CHALLENGE } from '../contract/rules.ts';
import type { ChallengeDoc, Realm } from './documents.ts';
import { Repository } from './repository.ts';

/**
 * `challenges`: every rule of the guide is the filter of one atomic update here, so concurrent
 * requests in any number of processes cannot exceed it: pending, not expired, fewer than 5
 * failures [, fewer than 3 sends]. Each write returns the document after it, or null when the
 * rule refused (the caller reads the document to say why).
 */
export class ChallengeRepository extends Repository<ChallengeDoc> {
  /** The filter every live challenge matches: the guide's limits, as of `now`. */
  static liveFilter(id: string, now: Date): TypedFilter<ChallengeDoc> {
    return { _id: id, status: 'pending', expiresAt: { $gt: now }, failedAttempts: { $lt: MAX_FAILED_ATTEMPTS } };
  }

  async insert(challenge: ChallengeDoc): Promise<void> {
    await this.collection.insertOne(challenge);
  }

  findByTokenHash(realm: Realm, tokenHash: string): Promise<ChallengeDoc | null> {
    return this.collection.findOne({ tokenHash, realm });
  }

  /** The user's newest enrollment challenge. */
  latestEnrollment(realm: Realm, userId: string): Promise<ChallengeDoc | null> {
    return this.collection.findOne({ realm, userId, kind: 'enroll' }, { sort: { createdAt: -1 } });
  }

  /** Takes one of the 3 sends of a live challenge, at least `minIntervalSeconds` after the last. */
  claimSend(id: string, now: Date, minIntervalSeconds: number): Promise<ChallengeDoc | null> {
    const filter: TypedFilter<ChallengeDoc> = { ...ChallengeRepository.liveFilter(id, now), sends: { $lt: MAX_SENDS_PER_CHALLENGE } };
    if (minIntervalSeconds > 0) {
      filter.$or = [{ lastSentAt: null }, { lastSentAt: { $lte: new Date(now.getTime() - minIntervalSeconds * 1000) } }];
    }
    const update: TypedUpdate<ChallengeDoc> = { $inc: { sends: 1 }, $set: { lastSentAt: now } };
    return this.collection.findOneAndUpdate(filter, update, { returnDocument: 'after' });
  }

  /** Gives a send back (the message could not even be queued). */
  async releaseSend(id: string): Promise<void> {
    await this.collection.updateOne({ _id: id, sends: { $gt: 0 } }, { $inc: { sends: -1 } });
  }

  /** Marks a live challenge verified; of two callers with the same code only one gets it. */
  complete(id: string, now: Date): Promise<ChallengeDoc | null> {
    return this.collection.findOneAndUpdate(
      ChallengeRepository.liveFilter(id, now),
      { $set: { status: 'verified', verifiedAt: now } },
      { returnDocument: 'after' },
    );
  }

  /** Counts a wrong code on a live challenge (only 5 can be counted). */
  failAttempt(id: string, now: Date): Promise<ChallengeDoc | null> {
    return this.collection.findOneAndUpdate(ChallengeRepository.liveFilter(id, now), { $inc: { failedAttempts: 1 } }, { returnDocument: 'after' });
  }
}
