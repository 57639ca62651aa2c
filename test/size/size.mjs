// Bundles each public entry of the components as a tenant's bundler would (esbuild --bundle
// --minify --format=esm --splitting, everything inlined: lit, @lit/task, the SDK,
// libphonenumber-js), gzips at level 9 what a page downloads for it (the entry and every chunk
// it imports statically) and checks that against its budget. The languages other than English are
// chunks imported on demand (`import()` for `lang`): listed, not counted. Exits non-zero when any
// entry is over budget.
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

const kb = (bytes) => `${(bytes / KB).toFixed(2).padStart(6)} KB`;

let over = 0;
for (const entry of entries) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry.file],
    bundle: true,
    minify: true,
    format: 'esm',
    splitting: true,
    outdir: 'size-out',
    write: false,
    metafile: true,
    tsconfig: 'tsconfig.json',
    logLevel: 'error',
  });
  const files = new Map(result.outputFiles.map((file) => [file.path.slice(root.length), file.contents]));
  const outputs = result.metafile.outputs;
  const entryFile = Object.keys(outputs).find((path) => outputs[path].entryPoint === entry.file);
  // What the page downloads: the entry and, transitively, every chunk it imports statically.
  const downloaded = new Set();
  const visit = (path) => {
    if (downloaded.has(path)) return;
    downloaded.add(path);
    for (const imported of outputs[path].imports) if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(entryFile);
  const onDemand = Object.keys(outputs).filter((path) => path.endsWith('.js') && !downloaded.has(path));
  const gzip = (path) => gzipSync(files.get(path), { level: 9 }).length;
  const gzipped = [...downloaded].reduce((sum, path) => sum + gzip(path), 0);
  const minified = [...downloaded].reduce((sum, path) => sum + files.get(path).length, 0);
  const ok = gzipped <= entry.budget;
  if (!ok) over++;
  console.log(
    `${ok ? 'ok  ' : 'OVER'} ${entry.name.padEnd(24)} ${kb(gzipped)} gzip / ${(entry.budget / KB).toFixed(0)} KB budget` +
      `  (headroom ${String(entry.budget - gzipped).padStart(5)} bytes; ${(minified / KB).toFixed(1)} KB minified in ${downloaded.size} file${downloaded.size === 1 ? '' : 's'})`,
  );
  for (const path of onDemand) {
    const name = Object.keys(outputs[path].inputs).find((input) => input.includes('/messages/')) ?? path;
    console.log(`       on demand: ${name.padEnd(40)} ${kb(gzip(path))} gzip`);
  }
}
if (over > 0) {
  console.error(`size: ${over} entr${over === 1 ? 'y is' : 'ies are'} over budget`);
  process.exit(1);
}
