// Bundles each public entry of the components as a tenant's bundler would (esbuild --bundle
// --minify --format=esm, everything inlined: lit, @lit/task, the SDK, libphonenumber-js), gzips it
// at level 9 and checks it against its budget. Exits non-zero when any entry is over budget.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const KB = 1024;
const entries = [
  { name: 'aldero-mfa-challenge', file: 'components/aldero-mfa-challenge.ts', budget: 15 * KB },
  { name: 'aldero-recovery-codes', file: 'components/aldero-recovery-codes.ts', budget: 12 * KB },
  { name: 'aldero-sms-enroll', file: 'components/aldero-sms-enroll.ts', budget: 50 * KB },
  { name: 'index (all three)', file: 'components/index.ts', budget: 55 * KB },
];

let over = 0;
for (const entry of entries) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry.file],
    bundle: true,
    minify: true,
    format: 'esm',
    write: false,
    tsconfig: 'tsconfig.json',
    logLevel: 'error',
  });
  const code = result.outputFiles[0].contents;
  const gzipped = gzipSync(code, { level: 9 }).length;
  const ok = gzipped <= entry.budget;
  if (!ok) over++;
  console.log(
    `${ok ? 'ok  ' : 'OVER'} ${entry.name.padEnd(24)} ${(gzipped / KB).toFixed(2).padStart(6)} KB gzip` +
      ` / ${(entry.budget / KB).toFixed(0)} KB budget  (${String(entry.budget - gzipped).padStart(5)} bytes to spare;` +
      ` ${(code.length / KB).toFixed(1)} KB minified)`,
  );
}
if (over > 0) {
  console.error(`size: ${over} entr${over === 1 ? 'y is' : 'ies are'} over budget`);
  process.exit(1);
}
