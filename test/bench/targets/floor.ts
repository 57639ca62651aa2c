/**
 * The floor: the minimal handler. A bare node:http handler that enforces the same rules on the
 * same documents as the real routes with the fewest database round trips those rules allow,
 * written directly against the driver — not a copy of the routes' code: no tRPC, no zod, no JWT
 * library, no error classes, no repositories. What the real route costs above it is the price of
 * everything but the physics; the bench prints both routes' commands side by side.
 *
 * What a rule needs, and so the floor does (round trips per request):
 * - verify, wrong code (3): one update that finds the live challenge by its token (the id is an
 *   HMAC of it), judges the code's HMAC and counts the failure (the guide's 5); one update of the user's code counter (the
 *   account-level 20 an hour and 100 in a row, both in one document: an `$inc` with the limits
 *   in its filter, a pipeline only when that collides); the audit event(s), one insert.
 * - verify, right code (4): the same judgement (it completes the challenge) and counter update
 *   (it ends the streak, or refuses a locked account), the session, the audit events in one insert.
 * - send (4): one update that takes one of the challenge's 3 sends after the interval and, the
 *   sandbox being deterministic, writes its delivery state in the same update; the 5 quota
 *   counters in one unordered bulk update (each exact on its own document); the sandbox message;
 *   the audit event.
 * - login (6): the user; the 3 failed-login counters in one bulk update; scrypt; one bulk update
 *   that gives the login slots back and takes the 5 send quotas; the challenge, stored with its
 *   first send taken and its delivery state; the sandbox message; both audit events in one insert.
 *
 * It keeps the work a route cannot skip: JSON in and out, the HMACs of the token, the challenge
 * id and the code, unsealing the code to send it, scrypt at login, and the ES256 signature of the
 * access token a right code earns (the guide's contract: a JWT the tenant verifies by the JWKS). Refusal paths are kept
 * only as far as the bench's answers need (it never loads them).
 */
import { sign } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MongoBulkWriteError, type AnyBulkWriteOperation } from 'mongodb';
import { decrypt, encrypt, hmac, randomDigits, randomToken, safeEqual, verifyPassword } from '../../../server/crypto.ts';
import type { ChallengeDoc, RateCounterDoc } from '../../../server/store/documents.ts';
import type { BenchWorld } from '../lib/fixtures.ts';

const MINUTE = 60_000;
const HOUR_S = 3600;
const DAY_S = 86_400;
const CODE_LIMIT = { perHour: 20, lockAt: 100 };

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

export interface FloorOptions {
  /**
   * The account-level code limit (issue 15: 20 wrong codes a user an hour, 100 in a row lock).
   * Off (`floor-guide`): the guide's rules alone, one round trip fewer per verify — what that
   * limit costs, measured (`npm run bench -- --targets floor,floor-guide,aldero`).
   */
  accountLimit: boolean;
}

export function createFloorHandler(world: BenchWorld, options: FloorOptions = { accountLimit: true }) {
  const { store, keys, clock } = world.ctx.deps;
  const { realm, tenant } = world.ctx.req.tenant;
  const secret = keys.secret;
  const counters = store.rateCounters;

  function event(type: string, userId: string | null, payload: Record<string, unknown>, requestId: string) {
    const time = clock.now();
    return {
      _id: `evt_${time.getTime().toString(36)}_${randomToken(9)}`,
      realm,
      actor: 'end_user',
      userId,
      ip: '127.0.0.1',
      userAgent: null,
      requestId,
      time,
      type,
      payload,
      expiresAt: new Date(time.getTime() + 400 * 86_400_000),
    };
  }

  /** The access token: an ES256 JWT with the route's claims, signed by the server's key. */
  function accessToken(userId: string, now: Date): string {
    const iat = Math.floor(now.getTime() / 1000);
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${part({ alg: 'ES256', kid: keys.signing.kid, typ: 'at+jwt' })}.${part({ tid: realm, amr: ['pwd', 'sms'], sid: randomToken(12), auth_time: iat, mfa_time: iat, iss: 'floor', aud: 'floor', sub: userId, iat, exp: iat + 900 })}`;
    return `${input}.${sign('sha256', Buffer.from(input), { key: keys.signing.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  }

  /** The request's audit events, one insert. */
  async function audit(events: ReturnType<typeof event>[]): Promise<void> {
    await store.collection('auditEvents').insertMany(events as never[]);
  }

  /** A slot of a window counter, as one statement of a bulk update: full → the upsert collides (11000). */
  function slot(key: string, limit: number, windowSeconds: number, now: Date): AnyBulkWriteOperation<RateCounterDoc> {
    const open = { $gt: ['$expiresAt', now] };
    return {
      updateOne: {
        filter: { _id: key, $or: [{ count: { $lt: limit } }, { expiresAt: { $lte: now } }] },
        update: [{ $set: { count: { $cond: [open, { $add: ['$count', 1] }, 1] }, expiresAt: { $cond: [open, '$expiresAt', new Date(now.getTime() + windowSeconds * 1000)] } } }],
        upsert: true,
      },
    };
  }

  function giveBack(key: string): AnyBulkWriteOperation<RateCounterDoc> {
    return { updateOne: { filter: { _id: key, count: { $gt: 0 } }, update: { $inc: { count: -1 } } } };
  }

  /** One bulk update; a collision refuses (the bench never reaches a limit, so no retry is needed here). */
  async function bulk(operations: AnyBulkWriteOperation<RateCounterDoc>[]): Promise<void> {
    try {
      await counters.bulkWrite(operations, { ordered: false });
    } catch (error) {
      if (error instanceof MongoBulkWriteError) throw new Refused();
      throw error;
    }
  }

  function sendQuotas(phone: string, userId: string, ip: string, now: Date) {
    const q = tenant.quotas;
    return [
      slot(`floor-sms:${realm}:tenant`, q.tenantPerDay, DAY_S, now),
      slot(`floor-sms:${realm}:phone:${phone}`, q.phonePerHour, HOUR_S, now),
      slot(`floor-sms:${realm}:phone-day:${phone}`, q.phonePerDay, DAY_S, now),
      slot(`floor-sms:${realm}:user:${userId}`, q.userPerHour, HOUR_S, now),
      slot(`floor-sms:${realm}:ip:${ip}`, q.ipPerHour, HOUR_S, now),
    ];
  }

  /**
   * The account-level code counter, one document per user: an `$inc` with the limits in its
   * filter (an open window, or no counter yet: an upsert); when that collides, the pipeline that
   * also restarts an ended window or refuses (unchanged) when the hour is full or the streak locked.
   */
  async function countCode(userId: string, right: boolean, now: Date): Promise<boolean> {
    const _id = `floor-codes:${realm}:${userId}`;
    const windowEnd = new Date(now.getTime() + HOUR_S * 1000);
    const far = new Date(now.getTime() + 10 * 365 * DAY_S * 1000);
    try {
      if (right) {
        await counters.findOneAndUpdate(
          { _id, count: { $lt: CODE_LIMIT.lockAt }, $or: [{ windowEndsAt: { $lte: now } }, { windowCount: { $lt: CODE_LIMIT.perHour } }, { windowCount: { $exists: false } }] },
          { $set: { count: 0 }, $setOnInsert: { expiresAt: far } },
          { upsert: true },
        );
      } else {
        await counters.findOneAndUpdate(
          { _id, windowEndsAt: { $gt: now }, windowCount: { $lt: CODE_LIMIT.perHour }, count: { $lt: CODE_LIMIT.lockAt } },
          { $inc: { windowCount: 1, count: 1 }, $setOnInsert: { windowEndsAt: windowEnd, expiresAt: far } },
          { upsert: true },
        );
      }
      return true;
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error;
    }
    const open = { $gt: [{ $ifNull: ['$windowEndsAt', new Date(0)] }, now] };
    const hour = { $cond: [open, { $ifNull: ['$windowCount', 0] }, 0] };
    const streak = { $ifNull: ['$count', 0] };
    const refused = { $or: [{ $gte: [hour, CODE_LIMIT.perHour] }, { $gte: [streak, CODE_LIMIT.lockAt] }] };
    const fields = right
      ? { count: { $cond: [refused, streak, 0] } }
      : {
          windowCount: { $cond: [refused, '$windowCount', { $add: [hour, 1] }] },
          windowEndsAt: { $cond: [refused, '$windowEndsAt', { $cond: [open, '$windowEndsAt', windowEnd] }] },
          count: { $cond: [refused, streak, { $min: [{ $add: [streak, 1] }, CODE_LIMIT.lockAt] }] },
        };
    const before = await counters.findOneAndUpdate({ _id }, [{ $set: { ...fields, expiresAt: { $ifNull: ['$expiresAt', far] } } }], { upsert: true, returnDocument: 'before' });
    const hourBefore = before?.windowEndsAt && before.windowEndsAt > now ? (before.windowCount ?? 0) : 0;
    return hourBefore < CODE_LIMIT.perHour && (before?.count ?? 0) < CODE_LIMIT.lockAt;
  }

  async function verify(body: Record<string, string>, requestId: string): Promise<[number, unknown]> {
    const now = clock.now();
    const token = body.mfa_token!;
    const id = `chl_${hmac(secret, `challenge-id:${token}`).slice(0, 16)}`;
    const presented = hmac(secret, `${id}:${body.code}`);
    const right = { $eq: ['$codeHash', { $literal: presented }] };
    const before = await store.challenges.findOneAndUpdate(
      { _id: id, tokenHash: hmac(secret, `mfa:${token}`), realm, status: 'pending', expiresAt: { $gt: now }, failedAttempts: { $lt: 5 }, availableMethods: 'sms' },
      [
        {
          $set: {
            status: { $cond: [right, 'verified', '$status'] },
            verifiedAt: { $cond: [right, now, '$verifiedAt'] },
            failedAttempts: { $cond: [right, '$failedAttempts', { $add: ['$failedAttempts', 1] }] },
          },
        },
      ],
      { returnDocument: 'before' },
    );
    // Not live (or unknown): a read says which; the bench never asks.
    if (!before) return (await store.challenges.findOne({ _id: id })) ? [429, { error: 'MFA_RATE_LIMITED' }] : [410, { error: 'MFA_CHALLENGE_EXPIRED' }];
    const isRight = safeEqual(presented, before.codeHash);
    if (options.accountLimit && !(await countCode(before.userId, isRight, now))) return [429, { error: 'MFA_RATE_LIMITED', reason: 'user_code_attempts' }];
    const purpose = 'login';
    if (!isRight) {
      const attemptsRemaining = 4 - before.failedAttempts;
      const events = [event('mfa.verify.failed', before.userId, { purpose, method: 'sms', challengeId: id, reason: 'invalid_code', attemptsRemaining }, requestId)];
      if (attemptsRemaining === 0) events.push(event('mfa.challenge.invalidated', before.userId, { challengeId: id, purpose, failedAttempts: 5 }, requestId));
      await audit(events);
      return [400, { error: 'MFA_INVALID_CODE', message: 'The code is incorrect.', attemptsRemaining }];
    }
    const refreshToken = `rt_${randomToken(32)}`;
    await store.sessions.insertOne({
      _id: `ses_${randomToken(12)}`,
      realm,
      userId: before.userId,
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
    await audit([
      event('mfa.verify.succeeded', before.userId, { purpose, method: 'sms', challengeId: id }, requestId),
      event('login.succeeded', before.userId, { amr: ['pwd', 'sms'] }, requestId),
    ]);
    return [200, { accessToken: accessToken(before.userId, now), refreshToken, expiresIn: 900, trustedDevice: false }];
  }

  function sandboxMessage(challenge: Pick<ChallengeDoc, '_id' | 'phone' | 'codeSealed'>, id: string, now: Date) {
    const code = decrypt(secret, 'challenge-code', challenge.codeSealed);
    return {
      _id: id,
      realm,
      to: challenge.phone!,
      from: '+15005550000',
      body: `Your ${tenant.brand} verification code is ${code}. Sent via Aldero. Reply STOP to opt out, HELP for help.`,
      status: 'delivered' as const,
      challengeId: challenge._id,
      createdAt: now,
    };
  }

  function codeSentEvent(challengeId: string, userId: string, messageId: string, sendsRemaining: number, requestId: string) {
    return event('mfa.code.sent', userId, {
      challengeId,
      purpose: 'login',
      maskedPhone: '+1 •••• ••11',
      sender: '+15005550000',
      messageId,
      deliveryStatus: 'delivered',
      deliveryReason: null,
      sendsRemaining,
    }, requestId);
  }

  async function challenge(body: Record<string, string>, ip: string, requestId: string): Promise<[number, unknown]> {
    const now = clock.now();
    const messageId = `msg_${randomToken(12)}`;
    const minInterval = tenant.quotas.minIntervalSeconds;
    const claimed = await store.challenges.findOneAndUpdate(
      {
        tokenHash: hmac(secret, `mfa:${body.mfa_token}`),
        realm,
        status: 'pending',
        expiresAt: { $gt: now },
        failedAttempts: { $lt: 5 },
        sends: { $lt: 3 },
        availableMethods: 'sms',
        ...(minInterval > 0 ? { $or: [{ lastSentAt: null }, { lastSentAt: { $lte: new Date(now.getTime() - minInterval * 1000) } }] } : {}),
      },
      { $inc: { sends: 1 }, $set: { lastSentAt: now, delivery: { status: 'delivered', reason: null, messageId, updatedAt: now } } },
      { returnDocument: 'after' },
    );
    if (!claimed) return [429, { error: 'MFA_RATE_LIMITED' }];
    await bulk(sendQuotas(claimed.phone!, claimed.userId, ip, now));
    await store.sandboxMessages.insertOne(sandboxMessage(claimed, messageId, now));
    await audit([codeSentEvent(claimed._id, claimed.userId, messageId, 3 - claimed.sends, requestId)]);
    return [200, { challenge_type: 'oob', oob_channel: 'sms', maskedPhone: '+1 •••• ••11', sendsRemaining: 3 - claimed.sends, attemptsRemaining: 5, expiresAt: claimed.expiresAt.toISOString(), retryAfterSeconds: minInterval, delivery: { status: 'delivered', reason: null } }];
  }

  async function login(body: Record<string, string>, ip: string, requestId: string): Promise<[number, unknown]> {
    const now = clock.now();
    const email = body.email!.trim().toLowerCase();
    const user = await store.users.findOne({ realm, email });
    const loginKeys = [`floor-login-ip:${realm}:${ip}`, `floor-login:${realm}:${email}:${ip}`, `floor-login-account:${realm}:${email}`];
    await bulk([slot(loginKeys[0]!, 100, 900, now), slot(loginKeys[1]!, 10, 900, now), slot(loginKeys[2]!, 100, 900, now)]);
    if (!user?.passwordHash || !(await verifyPassword(body.password!, user.passwordHash))) return [401, { error: 'INVALID_CREDENTIALS' }];
    // The login slots back and the send quotas, one bulk update.
    await bulk([...loginKeys.map(giveBack), ...sendQuotas(user.phone!, user._id, ip, now)]);
    const mfaToken = `mfa_${randomToken(32)}`;
    const id = `chl_${hmac(secret, `challenge-id:${mfaToken}`).slice(0, 16)}`;
    const code = randomDigits(6);
    const messageId = `msg_${randomToken(12)}`;
    const doc: ChallengeDoc = {
      _id: id,
      realm,
      kind: 'login',
      userId: user._id,
      tokenHash: hmac(secret, `mfa:${mfaToken}`),
      phone: user.phone,
      codeHash: hmac(secret, `${id}:${code}`),
      codeSealed: encrypt(secret, 'challenge-code', code),
      sends: 1,
      failedAttempts: 0,
      status: 'pending',
      availableMethods: ['sms', 'recovery_code'],
      createdAt: now,
      expiresAt: new Date(now.getTime() + 5 * MINUTE),
      lastSentAt: now,
      delivery: { status: 'delivered', reason: null, messageId, updatedAt: now },
      verifiedAt: null,
      ip,
      userAgent: null,
    };
    await store.challenges.insertOne(doc);
    await store.sandboxMessages.insertOne(sandboxMessage(doc, messageId, now));
    await audit([
      codeSentEvent(id, user._id, messageId, 2, requestId),
      event('login.mfa_required', user._id, { challengeId: id, availableMethods: doc.availableMethods, codeSent: true, sendRefusedReason: null }, requestId),
    ]);
    return [403, { error: 'mfa_required', mfa_token: mfaToken, available_methods: doc.availableMethods, codeSent: { sendsRemaining: 2 }, sendError: null }];
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await readJson(req);
      const ip = req.socket.remoteAddress ?? 'unknown';
      const requestId = `req_${randomToken(9)}`;
      const [status, answer] =
        req.url === '/v1/auth/mfa/verify' || req.url === '/trpc/auth.mfa.verify' ? await verify(body, requestId)
        : req.url === '/v1/auth/mfa/challenge' ? await challenge(body, ip, requestId)
        : req.url === '/v1/auth/login' ? await login(body, ip, requestId)
        : ([404, { error: 'NOT_FOUND' }] as [number, unknown]);
      send(res, status, answer);
    } catch (error) {
      if (error instanceof Refused) send(res, 429, { error: 'RATE_LIMITED' });
      else send(res, 500, { error: 'INTERNAL_ERROR' });
    }
  };
}
