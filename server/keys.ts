import { createPrivateKey, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { randomToken } from './crypto.ts';
import type { Store } from './store/index.ts';
import { typed } from './store/typed.ts';

export interface ServerKeys {
  /** HMAC key for secrets at rest (codes, mfa tokens, device and refresh tokens). */
  secret: string;
  signing: { kid: string; privateKey: KeyObject; publicJwk: JWK };
}

/**
 * A value generated once and shared by every process through the database: the first process
 * to start inserts it, the others read the same one (`$setOnInsert` makes the race harmless).
 */
async function sharedValue(store: Store, id: string, make: () => Promise<string> | string): Promise<string> {
  const candidate = await make();
  const doc = await typed(store.keys).findOneAndUpdate(
    { _id: id },
    { $setOnInsert: { value: candidate, createdAt: new Date() } },
    { upsert: true, returnDocument: 'after' },
  );
  if (!doc) throw new Error(`could not load key ${id}`);
  return doc.value;
}

/**
 * Keys come from configuration in production (`ALDERO_SECRET`, `ALDERO_JWT_PRIVATE_JWK`). For
 * development they are generated once and kept in the database — convenient, but a dump of
 * such a database holds the HMAC key, so production refuses to run that way.
 */
export async function loadServerKeys(
  store: Store,
  options: { secret?: string; privateJwk?: string; production: boolean },
): Promise<ServerKeys> {
  if (options.production && (!options.secret || !options.privateJwk)) {
    throw new Error('In production set ALDERO_SECRET and ALDERO_JWT_PRIVATE_JWK; keys are not generated into the database.');
  }
  const secret = options.secret ?? (await sharedValue(store, 'hmac-secret', () => randomToken(32)));
  const jwkText =
    options.privateJwk ??
    (await sharedValue(store, 'jwt-signing-key', async () => {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      return JSON.stringify({ ...(await exportJWK(privateKey)), kid: `k-${randomToken(6)}`, alg: 'ES256' });
    }));
  const privateJwk = JSON.parse(jwkText) as JWK;
  const kid = privateJwk.kid ?? 'default';
  // A node:crypto key: tokens are signed by node:crypto (server/accounts/tokens.ts).
  const privateKey = createPrivateKey({ key: privateJwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('ALDERO_JWT_PRIVATE_JWK: an EC P-256 private key (ES256) is required.');
  }
  const { d: _private, ...publicJwk } = privateJwk;
  return { secret, signing: { kid, privateKey, publicJwk: { ...publicJwk, kid, alg: 'ES256', use: 'sig' } } };
}
