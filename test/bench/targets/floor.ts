/**
 * The floor: a bare node:http handler that does the same database round trips as the real
 * routes — the same commands, filters and updates, in the same order, through the same driver
 * and connection pool, on the same engine — and nothing else: no tRPC, no zod, no JWT, no error
 * classes. What the real route costs above it is the price of everything but the database.
 * (The bench's probe compares the commands of each route and of its floor, request by request.)
 *
 * It keeps the work a route cannot skip and that is not a framework's: JSON in and out, the
 * HMAC that turns a token into its lookup key, the code check, and scrypt at login.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hmac, randomToken, safeEqual, verifyPassword } from '../../../server/crypto.ts';
import type { ChallengeDoc } from '../../../server/store/documents.ts';
import type { BenchWorld } from '../lib/fixtures.ts';

const MINUTE = 60_000;

class Refused extends Error {}

function readJson(req: IncomingMessage): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function createFloorHandler(world: BenchWorld) {
  const { store, keys, clock } = world.ctx.deps;
  const { realm, tenant } = world.ctx.req.tenant;
  const secret = keys.secret;

  /** One audit event, as the routes append them (awaited in the request). */
  async function audit(type: string, userId: string | null, payload: Record<string, unknown>): Promise<void> {
    const time = clock.now();
    await store.collection('auditEvents').insertOne({
      _id: `evt_${time.getTime().toString(36)}_${randomToken(9)}`,
      realm,
      actor: 'end_user',
      userId,
      ip: '127.0.0.1',
      userAgent: null,
      requestId: `req_${randomToken(9)}`,
      time,
      type,
      payload,
      expiresAt: new Date(time.getTime() + 400 * 86_400_000),
    } as never);
  }

  const live = (id: string, now: Date) => ({ _id: id, status: 'pending' as const, expiresAt: { $gt: now }, failedAttempts: { $lt: 5 } });

  /** A quota slot; a full counter makes the upsert collide (11000), as in the real limiter. */
  async function takeSlot(key: string, limit: number, windowSeconds: number, now: Date): Promise<string> {
    const size = windowSeconds * 1000;
    const start = Math.floor(now.getTime() / size) * size;
    const id = `${key}@${start}`;
    try {
      await store.rateCounters.findOneAndUpdate(
        { _id: id, count: { $lt: limit } },
        { $inc: { count: 1 }, $setOnInsert: { expiresAt: new Date(start + size) } },
        { upsert: true, returnDocument: 'after' },
      );
    } catch (error) {
      if ((error as { code?: number }).code === 11000) throw new Refused();
      throw error;
    }
    return id;
  }

  /** The send of a challenge: 5 quota counters, the claim, the sandbox inbox, the delivery state, the audit event. */
  async function sendCode(challenge: ChallengeDoc, ip: string): Promise<ChallengeDoc | null> {
    const now = clock.now();
    const q = tenant.quotas;
    await takeSlot(`sms:${realm}:tenant`, q.tenantPerDay, 86_400, now);
    await takeSlot(`sms:${realm}:phone:${challenge.phone}`, q.phonePerHour, 3600, now);
    await takeSlot(`sms:${realm}:phone-day:${challenge.phone}`, q.phonePerDay, 86_400, now);
    await takeSlot(`sms:${realm}:user:${challenge.userId}`, q.userPerHour, 3600, now);
    await takeSlot(`sms:${realm}:ip:${ip}`, q.ipPerHour, 3600, now);
    const claimed = await store.challenges.findOneAndUpdate(
      { ...live(challenge._id, now), sends: { $lt: 3 } },
      { $inc: { sends: 1 }, $set: { lastSentAt: now } },
      { returnDocument: 'after' },
    );
    const id = `msg_${randomToken(12)}`;
    await store.sandboxMessages.insertOne({
      _id: id,
      realm,
      to: challenge.phone!,
      from: '+15005550000',
      body: challenge.codeSealed.repeat(3),
      status: 'delivered',
      challengeId: challenge._id,
      createdAt: now,
    });
    const delivery = { status: 'delivered' as const, reason: null, messageId: id, updatedAt: now };
    await store.challenges.updateOne({ _id: challenge._id }, { $set: { delivery } });
    await audit('mfa.code.sent', challenge.userId, {
      challengeId: challenge._id,
      purpose: 'login',
      maskedPhone: '+1 •••• ••11',
      sender: '+15005550000',
      messageId: id,
      deliveryStatus: 'delivered',
      deliveryReason: null,
      sendsRemaining: claimed ? 3 - claimed.sends : 0,
    });
    return claimed;
  }

  async function verify(body: Record<string, string>): Promise<[number, unknown]> {
    const challenge = await store.challenges.findOne({ tokenHash: hmac(secret, `mfa:${body.mfa_token}`), realm });
    if (!challenge) return [410, { error: 'MFA_CHALLENGE_EXPIRED' }];
    const now = clock.now();
    const right = safeEqual(hmac(secret, `${challenge._id}:${body.code}`), challenge.codeHash);
    if (!right) {
      const counted = await store.challenges.findOneAndUpdate(live(challenge._id, now), { $inc: { failedAttempts: 1 } }, { returnDocument: 'after' });
      if (!counted) return [429, { error: 'MFA_RATE_LIMITED' }];
      const attemptsRemaining = 5 - counted.failedAttempts;
      const purpose = 'login';
      await audit('mfa.verify.failed', challenge.userId, { purpose, method: 'sms', challengeId: challenge._id, reason: 'invalid_code', attemptsRemaining });
      if (attemptsRemaining === 0) await audit('mfa.challenge.invalidated', challenge.userId, { challengeId: challenge._id, purpose, failedAttempts: 5 });
      return [400, { error: 'MFA_INVALID_CODE', message: 'The code is incorrect.', attemptsRemaining: 5 - counted.failedAttempts }];
    }
    const done = await store.challenges.findOneAndUpdate(live(challenge._id, now), { $set: { status: 'verified', verifiedAt: now } }, { returnDocument: 'after' });
    if (!done) return [410, { error: 'MFA_CHALLENGE_EXPIRED' }];
    const user = await store.users.findOne({ _id: challenge.userId, realm });
    if (!user) return [410, { error: 'MFA_CHALLENGE_EXPIRED' }];
    await audit('mfa.verify.succeeded', user._id, { purpose: 'login', method: 'sms', challengeId: challenge._id });
    const refreshToken = `rt_${randomToken(32)}`;
    await store.sessions.insertOne({
      _id: `ses_${randomToken(12)}`,
      realm,
      userId: user._id,
      familyId: `fam_${randomToken(12)}`,
      tokenHash: hmac(secret, refreshToken),
      amr: ['pwd', 'sms'],
      authTime: now,
      mfaTime: now,
      createdAt: now,
      expiresAt: new Date(now.getTime() + 30 * 86_400_000),
      rotatedAt: null,
      revokedAt: null,
      ip: '127.0.0.1',
      userAgent: null,
    });
    await audit('login.succeeded', user._id, { amr: ['pwd', 'sms'] });
    return [200, { accessToken: `at_${randomToken(400)}`, refreshToken, expiresIn: 900, trustedDevice: false }];
  }

  async function challenge(body: Record<string, string>, ip: string): Promise<[number, unknown]> {
    const found = await store.challenges.findOne({ tokenHash: hmac(secret, `mfa:${body.mfa_token}`), realm });
    if (!found) return [410, { error: 'MFA_CHALLENGE_EXPIRED' }];
    const claimed = await sendCode(found, ip);
    if (!claimed) return [429, { error: 'MFA_RATE_LIMITED' }];
    return [200, { challenge_type: 'oob', oob_channel: 'sms', sendsRemaining: 3 - claimed.sends, attemptsRemaining: 5, expiresAt: claimed.expiresAt.toISOString() }];
  }

  async function login(body: Record<string, string>, ip: string): Promise<[number, unknown]> {
    const now = clock.now();
    const email = body.email!.trim().toLowerCase();
    const slots = [await takeSlot(`login:${realm}:${email}`, 10, 900, now), await takeSlot(`login-ip:${realm}:${ip}`, 100, 900, now)];
    const user = await store.users.findOne({ realm, email });
    if (!user?.passwordHash || !(await verifyPassword(body.password!, user.passwordHash))) return [401, { error: 'INVALID_CREDENTIALS' }];
    for (const id of slots) await store.rateCounters.updateOne({ _id: id, count: { $gt: 0 } }, { $inc: { count: -1 } });
    const id = `chl_${randomToken(12)}`;
    const mfaToken = `mfa_${randomToken(32)}`;
    const doc: ChallengeDoc = {
      _id: id,
      realm,
      kind: 'login',
      userId: user._id,
      tokenHash: hmac(secret, `mfa:${mfaToken}`),
      phone: user.phone,
      codeHash: hmac(secret, `${id}:123456`),
      codeSealed: `v1.${randomToken(12)}.${randomToken(6)}.${randomToken(16)}`,
      sends: 0,
      failedAttempts: 0,
      status: 'pending',
      availableMethods: ['sms', 'recovery_code'],
      createdAt: now,
      expiresAt: new Date(now.getTime() + 5 * MINUTE),
      lastSentAt: null,
      delivery: null,
      verifiedAt: null,
      ip,
      userAgent: null,
    };
    await store.challenges.insertOne(doc);
    const claimed = await sendCode(doc, ip);
    await audit('login.mfa_required', user._id, { challengeId: id, availableMethods: doc.availableMethods, codeSent: claimed !== null, sendRefusedReason: null });
    return [403, { error: 'mfa_required', mfa_token: mfaToken, available_methods: doc.availableMethods }];
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await readJson(req);
      const ip = req.socket.remoteAddress ?? 'unknown';
      const [status, answer] =
        req.url === '/v1/auth/mfa/verify' || req.url === '/trpc/auth.mfa.verify' ? await verify(body)
        : req.url === '/v1/auth/mfa/challenge' ? await challenge(body, ip)
        : req.url === '/v1/auth/login' ? await login(body, ip)
        : ([404, { error: 'NOT_FOUND' }] as [number, unknown]);
      send(res, status, answer);
    } catch (error) {
      if (error instanceof Refused) send(res, 429, { error: 'RATE_LIMITED' });
      else send(res, 500, { error: 'INTERNAL_ERROR' });
    }
  };
}
