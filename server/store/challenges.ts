import type { TypedFilter, TypedUpdate } from './typed.ts';
import { MAX_FAILED_ATTEMPTS, MAX_SENDS_PER_CHALLENGE } from '../contract/rules.ts';
import type { ChallengeDoc, DeliveryState, MfaMethod, Realm } from './documents.ts';
import { Repository } from './repository.ts';

/**
 * `challenges`: every rule of the guide is a condition of one atomic update here, so concurrent
 * requests in any number of processes cannot exceed it: pending, not expired, fewer than 5
 * failures [, fewer than 3 sends]. Each write returns the document before or after it, or null
 * when the rule refused.
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

  /**
   * Judges a code and counts the outcome in ONE atomic update: on a live challenge (that accepts
   * `method`; `filter` names it), the right code completes it and a wrong one counts a failure
   * (only 5 can). Of concurrent callers only one completes it. Returns the challenge as it was
   * BEFORE — so live — from which the caller reads what the update did (`codeHash` equal to
   * `presentedHash` or not: the pipeline's one condition); null when no live challenge matched
   * (the caller reads it to say why, as after any refused update).
   *
   * `presentedHash` is the HMAC (server key) of the challenge id and the presented code, computed
   * in the process; the database compares it with the stored one. That comparison is an equality
   * of two HMACs, like the lookup of a token by its hash through a unique index: how long it
   * takes can only depend on how many leading characters of the two HMACs agree, and without the
   * key a guess cannot choose its HMAC's characters (each code gives an unrelated one), so timing
   * tells an attacker nothing about the stored code that an answer does not. The code itself
   * never reaches the database.
   */
  judgeCode(filter: TypedFilter<ChallengeDoc>, presentedHash: string, now: Date, method: MfaMethod | null): Promise<ChallengeDoc | null> {
    const live: TypedFilter<ChallengeDoc> = { ...filter, status: 'pending', expiresAt: { $gt: now }, failedAttempts: { $lt: MAX_FAILED_ATTEMPTS } };
    if (method) live.availableMethods = method;
    const right = { $eq: ['$codeHash', { $literal: presentedHash }] };
    return this.collection.findOneAndUpdate(
      live,
      [
        {
          $set: {
            status: { $cond: [right, { $literal: 'verified' }, '$status'] },
            verifiedAt: { $cond: [right, now, '$verifiedAt'] },
            failedAttempts: { $cond: [right, '$failedAttempts', { $add: ['$failedAttempts', 1] }] },
          },
        },
      ],
      { returnDocument: 'before' },
    );
  }

  /**
   * Undoes one judgement of `judgeCode` that a later rule refused (the account-level limits):
   * the completion (this caller made it: only one can) or one counted failure. The refused code
   * then costs the challenge nothing.
   */
  async undoJudgement(id: string, completedAt: Date | null): Promise<void> {
    if (completedAt) {
      await this.collection.updateOne({ _id: id, status: 'verified', verifiedAt: completedAt }, { $set: { status: 'pending', verifiedAt: null } });
    } else {
      await this.collection.updateOne({ _id: id, failedAttempts: { $gt: 0 } }, { $inc: { failedAttempts: -1 } });
    }
  }

  /**
   * Takes one of the 3 sends of a live challenge (`filter` names it), at least
   * `minIntervalSeconds` after the last, for SMS (the challenge offers it and has a phone).
   * With `delivery`, the message's planned state is shown in the same update.
   * Returns the challenge as it was BEFORE the send was taken, or null when refused.
   */
  claimSend(filter: TypedFilter<ChallengeDoc>, now: Date, minIntervalSeconds: number, delivery?: DeliveryState): Promise<ChallengeDoc | null> {
    const conditions: TypedFilter<ChallengeDoc> = {
      ...filter,
      status: 'pending',
      expiresAt: { $gt: now },
      failedAttempts: { $lt: MAX_FAILED_ATTEMPTS },
      sends: { $lt: MAX_SENDS_PER_CHALLENGE },
      availableMethods: 'sms',
      phone: { $ne: null },
      // Opened for a locked user: no code could be used (the caller answers factor_locked).
      factorsLocked: { $ne: true },
    };
    if (minIntervalSeconds > 0) {
      conditions.$or = [{ lastSentAt: null }, { lastSentAt: { $lte: new Date(now.getTime() - minIntervalSeconds * 1000) } }];
    }
    const update: TypedUpdate<ChallengeDoc> = { $inc: { sends: 1 }, $set: delivery ? { lastSentAt: now, delivery } : { lastSentAt: now } };
    return this.collection.findOneAndUpdate(conditions, update, { returnDocument: 'before' });
  }

  /**
   * Gives a send back. `restore` (the send taken at `takenAt` over `previous`): also the time of
   * the last send as it was, unless a later send has been taken since — a send that never went
   * out does not start the interval. `unshow` (the message the send showed, and what was shown
   * before): the delivery as it was, unless a later message is shown since.
   */
  async releaseSend(id: string, restore?: { takenAt: Date; previous: Date | null }, unshow?: { messageId: string; previous: DeliveryState | null }): Promise<void> {
    if (!restore && !unshow) {
      await this.collection.updateOne({ _id: id, sends: { $gt: 0 } }, { $inc: { sends: -1 } });
      return;
    }
    await this.collection.updateOne({ _id: id, sends: { $gt: 0 } }, [
      {
        $set: {
          sends: { $add: ['$sends', -1] },
          ...(restore ? { lastSentAt: { $cond: [{ $eq: ['$lastSentAt', restore.takenAt] }, restore.previous, '$lastSentAt'] } } : {}),
          ...(unshow ? { delivery: { $cond: [{ $eq: ['$delivery.messageId', unshow.messageId] }, { $literal: unshow.previous }, '$delivery'] } } : {}),
        },
      },
    ]);
  }

  /**
   * Marks (or clears) the factor lock on the user's pending login challenges, so a challenge
   * opened before the lock takes no more sends (`claimSend` skips it) and one opened before an
   * unlock takes them again. Rare (a lock, an unlock): one update of the user's challenges.
   */
  async markUserFactorsLocked(realm: Realm, userId: string, locked: boolean): Promise<void> {
    const filter: TypedFilter<ChallengeDoc> = { realm, userId, kind: 'login', status: 'pending' };
    await this.collection.updateMany(filter, locked ? { $set: { factorsLocked: true } } : { $unset: { factorsLocked: '' } });
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
