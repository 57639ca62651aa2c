/**
 * The counters' atomic updates, through the real driver (the embedded engine, and MONGODB_URI
 * too when set): one update takes every quota slot and each limit stays exact under
 * concurrency; the account-level code counter's pipeline does exactly what
 * `RateCounterRepository.codeAttemptRefusal` reads from the document before it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Clock } from '../clock.ts';
import type { RateCounterDoc } from '../store/documents.ts';
import { RateCounterRepository, type CodeAttemptRule } from '../store/rate-counters.ts';
import { describeStoreContract } from '../../test/store-contract/harness.ts';
import { consumeLimits, peekLimits, type Limit } from './rate-limit.ts';

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const clockAt = (date: Date): Clock => ({ now: () => date });

describeStoreContract(import.meta.url, (context) => {
  const counters = () => new RateCounterRepository(context.db.collection<RateCounterDoc>('rateCounters'));
  let n = 0;
  const key = (name: string) => `${name}:${++n}`;

  test('consumeLimits: one update for every counter; full, ended and zero limits; a refusal gives everything back', async () => {
    const repo = counters();
    const a = key('a');
    const b = key('b');
    const limits: Limit[] = [
      { key: a, limit: 2, windowSeconds: 60, reason: 'phone_hourly' },
      { key: b, limit: 3, windowSeconds: 60, reason: 'user_hourly' },
    ];
    for (let i = 0; i < 2; i++) assert.equal((await consumeLimits(repo, clockAt(at(i)), limits)).ok, true);
    const refused = await consumeLimits(repo, clockAt(at(10)), limits);
    assert.deepEqual(refused, { ok: false, reason: 'phone_hourly', retryAfterSeconds: 50 });
    assert.deepEqual((await repo.findMany([a, b])).map((doc) => doc.count).sort(), [2, 2], 'b given back');
    // The window of `a` ends 60 s after its first event: it starts again at 1.
    const again = await consumeLimits(repo, clockAt(at(60)), limits);
    assert.equal(again.ok, true);
    const docs = new Map((await repo.findMany([a, b])).map((doc) => [doc._id, doc]));
    assert.equal(docs.get(a)!.count, 1);
    assert.equal(docs.get(a)!.expiresAt.getTime(), at(120).getTime());
    assert.equal(docs.get(b)!.count, 1, 'b ended too (first event at 0)');
    if (again.ok) await again.release();
    assert.deepEqual((await repo.findMany([a, b])).map((doc) => doc.count), [0, 0]);
    // A limit of 0 refuses; the reason is the first refusal in order.
    const zero = await consumeLimits(repo, clockAt(at(61)), [limits[0]!, { key: key('z'), limit: 0, windowSeconds: 30, reason: 'ip_hourly' }]);
    assert.deepEqual(zero, { ok: false, reason: 'ip_hourly', retryAfterSeconds: 30 });
    assert.deepEqual(await peekLimits(repo, clockAt(at(61)), limits), null);
  });

  test('consumeLimits: 40 parallel requests on two clients, limit 7 → exactly 7 taken, every other counter given back', async () => {
    const other = await context.newClient();
    try {
      const repos = [counters(), new RateCounterRepository(other.db(context.db.databaseName).collection<RateCounterDoc>('rateCounters'))];
      const tight = key('tight');
      const wide = key('wide');
      const limits: Limit[] = [
        { key: wide, limit: 1000, windowSeconds: 60, reason: 'tenant_daily_budget' },
        { key: tight, limit: 7, windowSeconds: 60, reason: 'phone_hourly' },
      ];
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => consumeLimits(repos[i % 2]!, clockAt(at(1)), limits)));
      assert.equal(results.filter((r) => r.ok).length, 7);
      assert.ok(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'phone_hourly'));
      const docs = new Map((await repos[0]!.findMany([tight, wide])).map((doc) => [doc._id, doc.count]));
      assert.deepEqual([docs.get(tight), docs.get(wide)], [7, 7]);
    } finally {
      await other.close();
    }
  });

  const rule = (lockApplies: boolean): CodeAttemptRule => ({ windowLimit: 3, windowSeconds: 60, lockAt: 5, lockApplies, streakExpiresAt: at(10_000) });
  const states: (Omit<RateCounterDoc, '_id'> | null)[] = [
    null,
    { count: 0, expiresAt: at(10_000) },
    { count: 2, expiresAt: at(10_000), windowCount: 2, windowEndsAt: at(30) },
    { count: 2, expiresAt: at(10_000), windowCount: 3, windowEndsAt: at(30) },
    { count: 2, expiresAt: at(10_000), windowCount: 3, windowEndsAt: at(5) },
    { count: 4, expiresAt: at(10_000), windowCount: 1, windowEndsAt: at(30) },
    { count: 5, expiresAt: at(10_000), windowCount: 1, windowEndsAt: at(30) },
  ];

  test('code attempts: each update (its cheap form or its pipeline) does what codeAttemptRefusal reads from the counter before it', async () => {
    const repo = counters();
    const now = at(10);
    for (const state of states) {
      for (const lockApplies of [true, false]) {
        for (const op of ['wrong', 'right'] as const) {
          const id = key('codes');
          if (state) await context.db.collection<RateCounterDoc>('rateCounters').insertOne({ _id: id, ...state });
          const expectedRefusal = RateCounterRepository.codeAttemptRefusal(state ? { _id: id, ...state } : null, rule(lockApplies), now);
          const outcome = op === 'wrong' ? await repo.countWrongCode(id, rule(lockApplies), now) : await repo.countRightCode(id, rule(lockApplies), now);
          const after = await repo.findById(id);
          const label = `${JSON.stringify(state)} lock:${lockApplies} ${op}`;
          assert.equal(outcome.refusal, expectedRefusal, label);
          assert.equal(outcome.streakBefore, state?.count ?? 0, label);
          const expected = { _id: id, count: 0, expiresAt: at(10_000), ...state };
          if (expectedRefusal) {
            assert.deepEqual(after, expected, `${label}: refused, unchanged`);
            if (expectedRefusal === 'window_full') assert.equal(outcome.windowEndsAt?.getTime(), state!.windowEndsAt!.getTime(), label);
          } else if (op === 'wrong') {
            const open = (state?.windowEndsAt ?? T0) > now;
            assert.equal(after!.windowCount, (open ? (state?.windowCount ?? 0) : 0) + 1, label);
            assert.equal(after!.windowEndsAt!.getTime(), (open ? state!.windowEndsAt! : at(70)).getTime(), label);
            assert.equal(after!.count, Math.min((state?.count ?? 0) + 1, 5), label);
            assert.equal(after!.expiresAt.getTime(), expected.expiresAt.getTime(), label);
          } else {
            assert.deepEqual(after, { ...expected, count: 0 }, label);
          }
        }
      }
    }
  });

  test('code attempts: 30 parallel wrong codes → exactly the window’s 3 counted', async () => {
    const repo = counters();
    const id = key('parallel');
    const outcomes = await Promise.all(Array.from({ length: 30 }, () => repo.countWrongCode(id, rule(true), at(1))));
    assert.equal(outcomes.filter((outcome) => outcome.refusal === null).length, 3);
    const after = await repo.findById(id);
    assert.deepEqual([after!.windowCount, after!.count], [3, 3]);
  });
});
