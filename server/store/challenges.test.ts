/**
 * The challenge's atomic updates through the real driver (the embedded engine, and MONGODB_URI
 * too when set): `judgeCode` judges only a live challenge, its pipeline completes it on the
 * right HMAC and counts a failure on any other, and holds the guide's limits under concurrency;
 * a send given back restores the interval.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeStoreContract } from '../../test/store-contract/harness.ts';
import { ChallengeRepository } from './challenges.ts';
import type { ChallengeDoc, MfaMethod } from './documents.ts';

const NOW = new Date('2026-01-01T00:00:00Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describeStoreContract(import.meta.url, (context) => {
  const repo = () => new ChallengeRepository(context.db.collection<ChallengeDoc>('challenges'));
  let n = 0;
  const challenge = (patch: Partial<ChallengeDoc> = {}): ChallengeDoc => ({
    _id: `chl_${++n}`,
    realm: 't/sandbox',
    kind: 'login',
    userId: 'usr_1',
    tokenHash: `tok_${n}`,
    phone: '+15550100000',
    codeHash: 'right-hmac',
    codeSealed: 'sealed',
    sends: 1,
    failedAttempts: 0,
    status: 'pending',
    availableMethods: ['sms', 'recovery_code'],
    createdAt: NOW,
    expiresAt: later(300),
    lastSentAt: NOW,
    delivery: null,
    verifiedAt: null,
    ip: null,
    userAgent: null,
    ...patch,
  });

  const isLive = (doc: ChallengeDoc, now: Date, method: MfaMethod | null) =>
    doc.status === 'pending' && doc.expiresAt > now && doc.failedAttempts < 5 && (method === null || doc.availableMethods.includes(method));

  test('judgeCode: a live challenge (returned as it was) is completed by the right HMAC, counted a failure otherwise; any other is untouched (null)', async () => {
    const variants: Partial<ChallengeDoc>[] = [
      {},
      { failedAttempts: 4 },
      { failedAttempts: 5 },
      { status: 'verified', verifiedAt: NOW },
      { expiresAt: later(1) },
      { expiresAt: NOW },
      { availableMethods: ['totp', 'recovery_code'] },
    ];
    const now = later(1);
    for (const variant of variants) {
      for (const method of [null, 'sms'] as (MfaMethod | null)[]) {
        for (const presented of ['right-hmac', 'wrong-hmac', '$codeHash']) {
          const doc = challenge(variant);
          await context.db.collection<ChallengeDoc>('challenges').insertOne(doc);
          const before = await repo().judgeCode({ _id: doc._id }, presented, now, method);
          const after = await repo().findById(doc._id);
          const label = `${JSON.stringify(variant)} ${method} ${presented}`;
          const live = isLive(doc, now, method);
          assert.deepEqual(before, live ? doc : null, label);
          const right = presented === doc.codeHash;
          const expected = !live ? doc : right ? { ...doc, status: 'verified', verifiedAt: now } : { ...doc, failedAttempts: doc.failedAttempts + 1 };
          assert.deepEqual(after, expected, label);
        }
      }
    }
    assert.equal(await repo().judgeCode({ _id: 'chl_none' }, 'right-hmac', now, 'sms'), null);
  });

  test('judgeCode: 20 parallel wrong codes count exactly 5; 10 parallel right codes complete it once', async () => {
    const wrong = challenge();
    const right = challenge();
    await context.db.collection<ChallengeDoc>('challenges').insertMany([wrong, right]);
    const other = await context.newClient();
    try {
      const repos = [repo(), new ChallengeRepository(other.db(context.db.databaseName).collection<ChallengeDoc>('challenges'))];
      const wrongs = await Promise.all(Array.from({ length: 20 }, (_, i) => repos[i % 2]!.judgeCode({ _id: wrong._id }, 'wrong-hmac', NOW, 'sms')));
      assert.equal(wrongs.filter((before) => before !== null).length, 5);
      assert.equal((await repo().findById(wrong._id))!.failedAttempts, 5);
      const rights = await Promise.all(Array.from({ length: 10 }, (_, i) => repos[i % 2]!.judgeCode({ _id: right._id }, 'right-hmac', NOW, 'sms')));
      assert.equal(rights.filter((before) => before !== null).length, 1);
    } finally {
      await other.close();
    }
  });

  test('undoJudgement puts back the completion or one failure; releaseSend with the taken send restores the interval', async () => {
    const doc = challenge({ lastSentAt: null, sends: 0 });
    await context.db.collection<ChallengeDoc>('challenges').insertOne(doc);
    await repo().judgeCode({ _id: doc._id }, 'right-hmac', NOW, 'sms');
    await repo().undoJudgement(doc._id, NOW);
    await repo().judgeCode({ _id: doc._id }, 'wrong-hmac', NOW, 'sms');
    await repo().undoJudgement(doc._id, null);
    assert.deepEqual(await repo().findById(doc._id), doc);

    const before = await repo().claimSend({ _id: doc._id }, NOW, 30);
    assert.deepEqual(before, doc);
    assert.equal(await repo().claimSend({ _id: doc._id }, later(10), 30), null, 'too soon');
    await repo().releaseSend(doc._id, { takenAt: NOW, previous: null });
    assert.deepEqual(await repo().findById(doc._id), doc, 'the refused send does not start the interval');
    assert.notEqual(await repo().claimSend({ _id: doc._id }, later(10), 30), null);
  });
});
