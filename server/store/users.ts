import type { TypedUpdate } from './typed.ts';
import type { Realm, UserDoc } from './documents.ts';
import { Repository } from './repository.ts';

type RecoveryCodes = NonNullable<UserDoc['recoveryCodes']>;
type TotpFactor = NonNullable<UserDoc['mfa']['totp']>;
type PendingTotp = NonNullable<UserDoc['mfa']['pendingTotp']>;

/**
 * `users`: every query is scoped by realm. Enabling a factor is conditional on it being off, so
 * of two racing confirmations only one enables; TOTP steps and recovery codes are used up by
 * one atomic update each.
 */
export class UserRepository extends Repository<UserDoc> {
  /** Inserts the user; a duplicate email in the realm throws the driver's 11000. */
  async insert(user: UserDoc): Promise<void> {
    await this.collection.insertOne(user);
  }

  find(realm: Realm, userId: string): Promise<UserDoc | null> {
    return this.collection.findOne({ _id: userId, realm });
  }

  findByEmail(realm: Realm, email: string): Promise<UserDoc | null> {
    return this.collection.findOne({ realm, email });
  }

  async email(realm: Realm, userId: string): Promise<string | null> {
    return (await this.collection.findOne({ _id: userId, realm }, { projection: { email: 1 } }))?.email ?? null;
  }

  /** Sets the password and bumps the credentials version (retiring devices bound to the old one). */
  async changePassword(realm: Realm, userId: string, passwordHash: string): Promise<void> {
    await this.collection.updateOne({ _id: userId, realm }, { $set: { passwordHash }, $inc: { credentialsVersion: 1 } });
  }

  /** Notes (a date) or clears (null) the factor lock on the user (`mfa.lockedAt`, a hint for sign-in). */
  async markFactorsLocked(realm: Realm, userId: string, lockedAt: Date | null): Promise<void> {
    await this.collection.updateOne({ _id: userId, realm }, { $set: { 'mfa.lockedAt': lockedAt } });
  }

  /** Turns SMS on with the verified phone, unless it is on already; whether this call did it. */
  async enableSms(realm: Realm, userId: string, phone: string, now: Date): Promise<boolean> {
    const result = await this.collection.updateOne(
      { _id: userId, realm, 'mfa.sms': null },
      { $set: { phone, phoneVerified: true, 'mfa.sms': { enabledAt: now } } },
    );
    return result.modifiedCount === 1;
  }

  /** Turns SMS off (the phone stays); the recovery codes go too when no other factor is left. */
  async disableSms(realm: Realm, userId: string, dropRecoveryCodes: boolean): Promise<void> {
    const update: TypedUpdate<UserDoc> = { $set: { 'mfa.sms': null, ...(dropRecoveryCodes ? { recoveryCodes: null } : {}) } };
    await this.collection.updateOne({ _id: userId, realm }, update);
  }

  async setPendingTotp(realm: Realm, userId: string, pending: PendingTotp): Promise<void> {
    await this.collection.updateOne({ _id: userId, realm }, { $set: { 'mfa.pendingTotp': pending } });
  }

  /** Turns TOTP on (clearing the pending secret), unless it is on already; whether this call did it. */
  async enableTotp(realm: Realm, userId: string, factor: TotpFactor): Promise<boolean> {
    const result = await this.collection.updateOne(
      { _id: userId, realm, 'mfa.totp': null },
      { $set: { 'mfa.totp': factor, 'mfa.pendingTotp': null } },
    );
    return result.modifiedCount === 1;
  }

  /** Turns TOTP off; the recovery codes go too when no other factor is left. */
  async disableTotp(realm: Realm, userId: string, dropRecoveryCodes: boolean): Promise<void> {
    const update: TypedUpdate<UserDoc> = { $set: { 'mfa.totp': null, ...(dropRecoveryCodes ? { recoveryCodes: null } : {}) } };
    await this.collection.updateOne({ _id: userId, realm }, update);
  }

  /** Records `step` as the last TOTP step used, if it is later than the last one; whether it was. */
  async useTotpStep(realm: Realm, userId: string, step: number): Promise<boolean> {
    const result = await this.collection.updateOne(
      { _id: userId, realm, 'mfa.totp.lastUsedStep': { $lt: step } },
      { $set: { 'mfa.totp.lastUsedStep': step } },
    );
    return result.modifiedCount === 1;
  }

  async setRecoveryCodes(realm: Realm, userId: string, codes: RecoveryCodes): Promise<void> {
    await this.collection.updateOne({ _id: userId, realm }, { $set: { recoveryCodes: codes } });
  }

  /** Removes one recovery-code hash if it is there; the hashes left, or null when it was not. */
  async pullRecoveryCode(realm: Realm, userId: string, hash: string): Promise<number | null> {
    const used = await this.collection.findOneAndUpdate(
      { _id: userId, realm, 'recoveryCodes.hashes': hash },
      { $pull: { 'recoveryCodes.hashes': hash } },
      { returnDocument: 'after', projection: { recoveryCodes: 1 } },
    );
    return used ? (used.recoveryCodes?.hashes.length ?? 0) : null;
  }
}
