import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';

/** An opaque, URL-safe token with `bytes` bytes of entropy (32 → 256 bits). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A numeric one-time code of `digits` digits from the CSPRNG, zero-padded. */
export function randomDigits(digits: number): string {
  return randomInt(0, 10 ** digits).toString().padStart(digits, '0');
}

/**
 * The at-rest form of a secret: HMAC-SHA256 under the server secret, base64url.
 * Used for high-entropy tokens (lookup keys) and for short codes (a dump of the database
 * without the server secret cannot be brute-forced offline).
 */
export function hmac(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value).digest('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** Constant-time string comparison (equal length required by timingSafeEqual: hash both first). */
export function safeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
  keylen: number;
}

/** Password hashing parameters: scrypt N=2^15, r=8, p=1 (32 MiB, OWASP's minimum is 2^17 at p=1 or equivalent cost). */
const PASSWORD_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1, keylen: 32 };

export function scryptAsync(secret: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      secret.normalize('NFKC'),
      salt,
      params.keylen,
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/** `scrypt$N$r$p$salt$hash`, self-describing so parameters can be raised later. */
export async function hashPassword(password: string, params: ScryptParams = PASSWORD_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    keylen: expected.length,
  });
  return timingSafeEqual(key, expected);
}

function encryptionKey(secret: string, purpose: string): Buffer {
  return createHmac('sha256', secret).update(`aldero-encryption:${purpose}`).digest();
}

/** AES-256-GCM under a key derived from the server secret; for secrets that must be read back. */
export function encrypt(secret: string, purpose: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', encryptionKey(secret, purpose), iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), data.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

export function decrypt(secret: string, purpose: string, sealed: string): string {
  const [version, iv, data, tag] = sealed.split('.');
  if (version !== 'v1' || !iv || data === undefined || !tag) throw new Error('not an encrypted value');
  const decipher = createDecipheriv('aes-256-gcm', encryptionKey(secret, purpose), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}
