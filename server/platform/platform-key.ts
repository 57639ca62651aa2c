import { createHash, timingSafeEqual } from 'node:crypto';
import { randomToken } from '../crypto.ts';
import type { Store } from '../store/index.ts';
import { typed } from '../store/typed.ts';

/**
 * The operator's platform key (`ALDERO_PLATFORM_KEY`), which authenticates the platform API. In
 * production it is configured (≥ 32 characters); this process keeps only its SHA-256. Elsewhere,
 * when unset, `npm start` generates one for the run and prints it: its hash goes to the
 * database (`keys`, `platform-key-sha256`), so every process on that database accepts the key the
 * last start printed. A presented key is hashed and compared in constant time.
 */

export const PLATFORM_KEY_MIN_LENGTH = 32;
const STORED_HASH_ID = 'platform-key-sha256';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export class PlatformKey {
  private constructor(
    private readonly store: Store,
    /** The configured key's hash; null: the generated key's hash is in the database. */
    private readonly configuredHash: Buffer | null,
  ) {}

  /**
   * The platform key of this process: the configured one, or (outside production) a new one
   * generated now, returned once in `generated` for the start-up banner.
   */
  static async load(store: Store, options: { configured: string | undefined; production: boolean }): Promise<{ platformKey: PlatformKey; generated: string | null }> {
    const configured = options.configured?.trim() || undefined;
    if (configured) {
      if (options.production && configured.length < PLATFORM_KEY_MIN_LENGTH) {
        throw new Error(`ALDERO_PLATFORM_KEY must be at least ${PLATFORM_KEY_MIN_LENGTH} characters in production.`);
      }
      return { platformKey: new PlatformKey(store, digest(configured)), generated: null };
    }
    if (options.production) throw new Error('In production set ALDERO_PLATFORM_KEY (at least 32 characters): it authenticates the platform API.');
    const generated = `pk_${randomToken(32)}`;
    await typed(store.keys).updateOne(
      { _id: STORED_HASH_ID },
      { $set: { value: digest(generated).toString('base64url'), createdAt: new Date() } },
      { upsert: true },
    );
    return { platformKey: new PlatformKey(store, null), generated };
  }

  /** Whether `candidate` is the platform key (constant time in the key's content). */
  async verify(candidate: string): Promise<boolean> {
    const expected = this.configuredHash ?? (await this.storedHash());
    if (!expected) return false;
    return timingSafeEqual(digest(candidate), expected);
  }

  private async storedHash(): Promise<Buffer | null> {
    const doc = await typed(this.store.keys).findOne({ _id: STORED_HASH_ID });
    if (!doc) return null;
    const hash = Buffer.from(doc.value, 'base64url');
    return hash.length === 32 ? hash : null;
  }
}
