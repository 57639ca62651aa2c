import { startTarget, type Fixture } from './lib/ipc.ts';
import { runLoad } from './lib/load.ts';
for (const mode of ["floor"]) {
  const t = await startTarget(new URL('./targets/aldero.ts', import.meta.url), [mode]);
  const t0 = Date.now();
  const fixtures = await t.call<Fixture[]>('fixtures', { scenario: 'verify-wrong', count: Number(process.env.N) });
  console.log('fixtures', Date.now() - t0, 'ms');
  const r = await runLoad({ url: t.url, path: '/v1/auth/mfa/verify', fixtures, usesPerFixture: 5, durationSeconds: 5, connections: 10, expect: { status: 400, contains: '"MFA_INVALID_CODE"' } });
  console.log(mode, JSON.stringify(r));
  await t.stop();
}
