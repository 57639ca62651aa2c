// The page weight of the elements as they ship: reads the BUILT modules (dist/components, what
// the server serves at /v1/elements/ and what @aldero/elements packs), follows each entry's static
// imports (the entry and every chunk it imports statically, transitively: what a page downloads
// before the element works), gzips each file at level 9 and checks the sum against the entry's
// budget. Chunks reached only through `import()` (the languages other than English, fetched for
// `lang`) are listed, not counted. Exits non-zero when an entry is over budget or missing.
//
//   npm run size                                  (builds the elements first)
//   node test/size/size.mjs [dir]                 (measures an existing build; default dist/components)
import { build } from 'esbuild';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = resolve(root, process.argv[2] ?? 'dist/components');
const KB = 1024;
const entries = [
  { name: 'aldero-mfa-challenge', file: 'aldero-mfa-challenge.js', budget: 15 * KB },
  { name: 'aldero-recovery-codes', file: 'aldero-recovery-codes.js', budget: 12 * KB },
  { name: 'aldero-sms-enroll', file: 'aldero-sms-enroll.js', budget: 50 * KB },
  { name: 'index (all three)', file: 'index.js', budget: 55 * KB },
];

const missing = entries.filter((entry) => !existsSync(join(dir, entry.file)));
if (missing.length > 0) {
  console.error(`size: ${missing.map((entry) => entry.file).join(', ')} not in ${relative(root, dir) || '.'} — run \`npm run build:elements\` first`);
  process.exit(1);
}

// esbuild parses the built modules only to learn each file's imports and their kind (static or
// `import()`); nothing is rebundled or rewritten: the bytes measured are the files on disk.
const { metafile } = await build({
  absWorkingDir: dir,
  entryPoints: entries.map((entry) => entry.file),
  bundle: true,
  format: 'esm',
  splitting: true,
  outdir: 'out',
  write: false,
  metafile: true,
  logLevel: 'error',
});
const inputs = metafile.inputs;
const bytes = (file) => readFileSync(join(dir, file));
const gzip = (file) => gzipSync(bytes(file), { level: 9 }).length;
const kb = (size) => `${(size / KB).toFixed(2).padStart(6)} KB`;

let failures = 0;
for (const entry of entries) {
  const downloaded = new Set();
  const onDemand = new Set();
  const visit = (file) => {
    if (downloaded.has(file)) return;
    downloaded.add(file);
    for (const imported of inputs[file].imports) {
      if (imported.kind === 'import-statement') visit(imported.path);
      else if (imported.kind === 'dynamic-import') onDemand.add(imported.path);
    }
  };
  visit(entry.file);
  for (const file of downloaded) onDemand.delete(file);
  const gzipped = [...downloaded].reduce((sum, file) => sum + gzip(file), 0);
  const minified = [...downloaded].reduce((sum, file) => sum + bytes(file).length, 0);
  const ok = gzipped <= entry.budget;
  if (!ok) failures++;
  console.log(
    `${ok ? 'ok  ' : 'OVER'} ${entry.name.padEnd(24)} ${kb(gzipped)} gzip / ${(entry.budget / KB).toFixed(0)} KB budget` +
      `  (headroom ${String(entry.budget - gzipped).padStart(6)} bytes; ${(minified / KB).toFixed(1)} KB minified in ${downloaded.size} file${downloaded.size === 1 ? '' : 's'})`,
  );
  for (const file of [...onDemand].sort()) console.log(`       on demand: ${file.padEnd(40)} ${kb(gzip(file))} gzip`);
}

// Every module of the build is one some entry downloads or fetches on demand (nothing stray ships).
const reachable = new Set(Object.keys(inputs));
const stray = readdirSync(dir, { recursive: true })
  .map(String)
  .filter((file) => file.endsWith('.js') && !reachable.has(file.split('\\').join('/')));
if (stray.length > 0) {
  console.error(`size: built modules no entry reaches: ${stray.join(', ')}`);
  failures++;
}
if (failures > 0) {
  console.error(`size: ${failures} problem${failures === 1 ? '' : 's'} (over budget or stray)`);
  process.exit(1);
}
