/**
 * `judgeLoginCode` through the real driver: the challenge found and its code judged in one
 * update by the id that follows from the token; a challenge stored with a random id before that
 * (still live for 5 minutes across a deploy) is found by its token's hash and judged by its own
 * id; an unknown token is null; a dead challenge is read back, not judged.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../clock.ts';
import { encrypt, hmac, randomToken } from '../crypto.ts';
import { ChallengeRepository } from '../store/challenges.ts';
import type { ChallengeDoc } from '../store/documents.ts';
import { describeStoreContract } from '../../test/store-contract/harness.ts';
import { judgeLoginCode, type ChallengeDeps } from './challenges.ts';

const SECRET = 'judge-test-secret';
const REALM = 'ten_judge/sandbox' as const;

describeStoreContract(import.meta.url, (context) => {
  const clock = new ManualClock();
  const deps = (): ChallengeDeps => ({ challenges: new ChallengeRepository(context.db.collection<ChallengeDoc>('challenges')), clock, secret: SECRET });

  async function store(id: string, mfaToken: string, patch: Partial<ChallengeDoc> = {}): Promise<ChallengeDoc> {
    const now = clock.now();
    const doc: ChallengeDoc = {
      _id: id,
      realm: REALM,
      kind: 'login',
      userId: 'usr_judge',
      tokenHash: hmac(SECRET, `mfa:${mfaToken}`),
      phone: '+15550100000',
      codeHash: hmac(SECRET, `${id}:123456`),
      codeSealed: encrypt(SECRET, 'challenge-code', '123456'),
      sends: 1,
      failedAttempts: 0,
      status: 'pending',
      availableMethods: ['sms', 'recovery_code'],
      createdAt: now,
      expiresAt: new Date(now.getTime() + 300_000),
      lastSentAt: now,
      delivery: null,
      verifiedAt: null,
      ip: null,
      userAgent: null,
      ...patch,
    };
    await context.db.collection<ChallengeDoc>('challenges').insertOne(doc);
    return doc;
  }

  const derivedId = (mfaToken: string) => `chl_${hmac(SECRET, `challenge-id:${mfaToken}`).slice(0, 16)}`;

  test('the id follows from the token: wrong then right, each judged in the update that finds it', async () => {
    const token = `mfa_${randomToken(32)}`;
    await store(derivedId(token), token);
    const wrong = await judgeLoginCode(deps(), REALM, token, 'sms', '654321');
    assert.deepEqual([wrong?.judged, wrong?.right, wrong?.challenge.failedAttempts], [true, false, 0]);
    const right = await judgeLoginCode(deps(), REALM, token, 'sms', '123456');
    assert.deepEqual([right?.judged, right?.right, right?.challenge.failedAttempts], [true, true, 1]);
    const again = await judgeLoginCode(deps(), REALM, token, 'sms', '123456');
    assert.deepEqual([again?.judged, again?.challenge.status], [false, 'verified'], 'completed once');
    assert.equal(await judgeLoginCode(deps(), 'ten_other/sandbox', token, 'sms', '123456'), null, 'another realm does not know it');
  });

  test('a challenge stored with a random id (before ids followed from tokens) is judged by its own id', async () => {
    const token = `mfa_${randomToken(32)}`;
    const legacy = await store(`chl_${randomToken(12)}`, token);
    const wrong = await judgeLoginCode(deps(), REALM, token, 'sms', '000000');
    assert.deepEqual([wrong?.judged, wrong?.right, wrong?.challenge._id], [true, false, legacy._id]);
    const right = await judgeLoginCode(deps(), REALM, token, 'sms', '123456');
    assert.deepEqual([right?.judged, right?.right], [true, true]);
    const doc = await context.db.collection<ChallengeDoc>('challenges').findOne({ _id: legacy._id });
    assert.deepEqual([doc?.failedAttempts, doc?.status], [1, 'verified']);
  });

  test('unknown token: null; a dead or expired challenge: read back, not judged', async () => {
    assert.equal(await judgeLoginCode(deps(), REALM, `mfa_${randomToken(32)}`, 'sms', '123456'), null);
    const dead = `mfa_${randomToken(32)}`;
    await store(derivedId(dead), dead, { failedAttempts: 5 });
    const deadJudgement = await judgeLoginCode(deps(), REALM, dead, 'sms', '123456');
    assert.deepEqual([deadJudgement?.judged, deadJudgement?.challenge.failedAttempts], [false, 5]);
    const late = `mfa_${randomToken(32)}`;
    await store(derivedId(late), late);
    clock.advance(300_000);
    const lateJudgement = await judgeLoginCode(deps(), REALM, late, 'sms', '123456');
    assert.deepEqual([lateJudgement?.judged, lateJudgement?.challenge.status, lateJudgement?.challenge.failedAttempts], [false, 'pending', 0]);
  });
});
