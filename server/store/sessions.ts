import type { TypedFilter } from './typed.ts';
import type { Realm, SessionDoc } from './documents.ts';
import { Repository } from './repository.ts';

/** `sessions`: one document per refresh token; a family is a session and its rotations. */
export class SessionRepository extends Repository<SessionDoc> {
  async insert(session: SessionDoc): Promise<void> {
    await this.collection.insertOne(session);
  }

  /**
   * Marks a live token rotated and names its successor (sealed) in the same update; of two
   * concurrent refreshes only one gets the document.
   */
  claimForRotation(realm: Realm, tokenHash: string, now: Date, successorSealed: string): Promise<SessionDoc | null> {
    return this.collection.findOneAndUpdate(
      { tokenHash, realm, rotatedAt: null, revokedAt: null, expiresAt: { $gt: now } },
      { $set: { rotatedAt: now, successorSealed } },
    );
  }

  /** The live (unrevoked, unexpired) session of a refresh token. */
  findLive(realm: Realm, tokenHash: string, now: Date): Promise<SessionDoc | null> {
    return this.collection.findOne({ tokenHash, realm, revokedAt: null, expiresAt: { $gt: now } });
  }

  findByTokenHash(realm: Realm, tokenHash: string): Promise<SessionDoc | null> {
    return this.collection.findOne({ tokenHash, realm });
  }

  /** The user's session of this family (by the family id, or by one of its refresh tokens). */
  findOfUser(realm: Realm, userId: string, by: { familyId: string } | { tokenHash: string }): Promise<SessionDoc | null> {
    const filter: TypedFilter<SessionDoc> = { ...by, realm, userId };
    return this.collection.findOne(filter);
  }

  /** Whether the family has a live (unrevoked, unexpired) session in the realm. */
  async isLive(realm: Realm, familyId: string, now: Date): Promise<boolean> {
    return (await this.collection.findOne({ familyId, realm, revokedAt: null, expiresAt: { $gt: now } }, { projection: { _id: 1 } })) !== null;
  }

  async revokeFamily(familyId: string, now: Date): Promise<void> {
    await this.collection.updateMany({ familyId, revokedAt: null }, { $set: { revokedAt: now } });
  }

  /** Revokes every session of the user, but the family `except` when given. */
  async revokeAllOfUser(realm: Realm, userId: string, now: Date, except?: string): Promise<void> {
    const filter: TypedFilter<SessionDoc> = { realm, userId, revokedAt: null, ...(except ? { familyId: { $ne: except } } : {}) };
    await this.collection.updateMany(filter, { $set: { revokedAt: now } });
  }
}
