import type { TypedFilter } from './typed.ts';
import type { Realm, TrustedDeviceDoc } from './documents.ts';
import { Repository } from './repository.ts';

/** `trustedDevices`: a device counts while unrevoked, unexpired and of the user's current credentials version. */
export class TrustedDeviceRepository extends Repository<TrustedDeviceDoc> {
  private static live(realm: Realm, user: { _id: string; credentialsVersion: number }, now: Date): TypedFilter<TrustedDeviceDoc> {
    return { realm, userId: user._id, credentialsVersion: user.credentialsVersion, revokedAt: null, expiresAt: { $gt: now } };
  }

  async insert(device: TrustedDeviceDoc): Promise<void> {
    await this.collection.insertOne(device);
  }

  /** The live device of this user with this token hash, marked used now; null when there is none. */
  touchLive(realm: Realm, user: { _id: string; credentialsVersion: number }, tokenHash: string, now: Date): Promise<TrustedDeviceDoc | null> {
    return this.collection.findOneAndUpdate({ tokenHash, ...TrustedDeviceRepository.live(realm, user, now) }, { $set: { lastUsedAt: now } });
  }

  /** The live device of this user with this token hash, read only (not marked used); null when there is none. */
  findLive(realm: Realm, user: { _id: string; credentialsVersion: number }, tokenHash: string, now: Date): Promise<TrustedDeviceDoc | null> {
    return this.collection.findOne({ tokenHash, ...TrustedDeviceRepository.live(realm, user, now) });
  }

  /** The user's live devices, newest first (at most 100). */
  listLive(realm: Realm, user: { _id: string; credentialsVersion: number }, now: Date): Promise<TrustedDeviceDoc[]> {
    return this.collection.find(TrustedDeviceRepository.live(realm, user, now)).sort({ createdAt: -1 }).limit(100).toArray();
  }

  /** Revokes one device of the user; whether it was still trusted. */
  async revoke(realm: Realm, userId: string, deviceId: string, now: Date): Promise<boolean> {
    const result = await this.collection.updateOne({ _id: deviceId, realm, userId, revokedAt: null }, { $set: { revokedAt: now } });
    return result.modifiedCount === 1;
  }

  /** Revokes every device of the user; how many were still trusted. */
  async revokeAll(realm: Realm, userId: string, now: Date): Promise<number> {
    const result = await this.collection.updateMany({ realm, userId, revokedAt: null }, { $set: { revokedAt: now } });
    return result.modifiedCount;
  }
}
