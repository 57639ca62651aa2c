// `npm run pack`: builds and packs the two packages a tenant installs, reproducibly (the same
// sources give the same tarballs: npm pack fixes every file's time and order):
//
//   dist/packages/aldero-sdk-<version>.tgz       @aldero/sdk      (components/packages/sdk)
//   dist/packages/aldero-elements-<version>.tgz  @aldero/elements (components/packages/elements)
//
// @aldero/sdk: components/client bundled with the contract into one ES module (no dependency, no
// DOM), its declarations, and the router's types written out in full (types/router.d.ts, from
// sdk/router-shape.ts): nothing of the server but the contract, no tRPC.
// @aldero/elements: the package build of components/vite.lib.config.ts (lit, libphonenumber-js
// and @aldero/sdk imported, not bundled), the elements' declarations, the JSX types for React
// (react.d.ts), and custom-elements.json from the served build.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));
const here = (path) => join(root, 'components/packages', path);
const out = join(root, 'dist/packages');
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`pack: ${command} ${args.join(' ')} failed (${result.status ?? result.signal})`);
}
const bin = (path) => join(root, 'node_modules', path);

// --- the manifests agree with the repository -------------------------------------------------
const rootManifest = readJson(join(root, 'package.json'));
const sdkManifest = readJson(here('sdk/package.json'));
const elementsManifest = readJson(here('elements/package.json'));
for (const [name, range] of Object.entries(elementsManifest.dependencies)) {
  const expected = name === '@aldero/sdk' ? sdkManifest.version : rootManifest.dependencies[name];
  if (range !== expected) throw new Error(`pack: @aldero/elements depends on ${name}@${range}, the repository on ${expected}`);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// --- builds ------------------------------------------------------------------------------------
run('npm', ['run', 'build:elements', '--silent']); // dist/components and its custom-elements.json
run(process.execPath, [bin('vite/bin/vite.js'), 'build', '--config', 'components/vite.lib.config.ts', '--mode', 'package']);
const declarations = mkdtempSync(join(tmpdir(), 'aldero-types-'));
emitDeclarations();

/**
 * The declarations of what the packages carry. The router's type reaches the whole server, whose
 * own type errors (`npm run typecheck` reports them) do not stop the emit; an error in a file the
 * packages carry does, and so does a router shape that lost a type to one (`any`).
 */
function emitDeclarations() {
  const result = spawnSync(process.execPath, [bin('typescript/bin/tsc'), '-p', 'components/packages/tsconfig.json', '--outDir', declarations], { cwd: root, encoding: 'utf8' });
  const errors = `${result.stdout}${result.stderr}`.split('\n').filter((line) => /^\S+\(\d+,\d+\): error/.test(line));
  const ours = errors.filter((line) => /^(components\/|server\/contract\/)/.test(line));
  if (ours.length > 0 || (result.status !== 0 && errors.length === 0)) {
    throw new Error(`pack: the packages' sources do not typecheck\n${ours.join('\n') || result.stdout + result.stderr}`);
  }
  if (errors.length > 0) console.warn(`pack: the server has ${errors.length} type error(s) (npm run typecheck); the packages' declarations are emitted regardless`);
}

// --- declarations: what each package's entries reach, with its own import paths -----------------
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\2/g;

/**
 * Copies the declaration files reachable from `entries` (repository paths, `.d.ts`) into `types/`
 * of a package. `place(repoPath)` says where a file goes in the package (`types/...`), or returns
 * a package name for a file another package provides; relative import paths are rewritten.
 */
function copyDeclarations(packageDir, entries, place, replace = {}) {
  const seen = new Set();
  const queue = [...entries];
  while (queue.length > 0) {
    const source = queue.shift();
    if (seen.has(source)) continue;
    seen.add(source);
    const target = place(source);
    const text = replace[source] ?? readFileSync(join(declarations, source), 'utf8');
    const rewritten = text.replace(SPECIFIER, (_, lead, quote, specifier) => {
      const imported = posix.join(posix.dirname(source), specifier).replace(/\.(ts|js)$/, '') + '.d.ts';
      const importedTarget = place(imported);
      if (!importedTarget.startsWith('types/')) return `${lead}${quote}${importedTarget}${quote}`;
      queue.push(imported);
      let path = posix.relative(posix.dirname(target), importedTarget).replace(/\.d\.ts$/, '.js');
      if (!path.startsWith('.')) path = `./${path}`;
      return `${lead}${quote}${path}${quote}`;
    });
    if (/['"](?:\.\.\/)+server\/(?!contract\/)|@trpc\//.test(rewritten)) throw new Error(`pack: ${source} still refers to the server or tRPC`);
    mkdirSync(dirname(join(packageDir, target)), { recursive: true });
    writeFileSync(join(packageDir, target), rewritten);
  }
}

const contractPlace = (path) => path.replace(/^server\/contract\//, 'types/contract/');

// --- @aldero/sdk -------------------------------------------------------------------------------
const sdkDir = join(out, 'sdk');
mkdirSync(sdkDir, { recursive: true });
await build({
  absWorkingDir: root,
  entryPoints: ['components/client/index.ts'],
  outfile: join(sdkDir, 'index.js'),
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  tsconfig: 'tsconfig.json',
  legalComments: 'inline',
  logLevel: 'error',
});
const shape = readFileSync(join(declarations, 'components/packages/sdk/router-shape.d.ts'), 'utf8');
if (/\bimport\b/.test(shape)) throw new Error('pack: the router shape still imports types; it must be written out in full');
if (/\bany\b/.test(shape)) throw new Error('pack: a procedure of the router shape is typed `any` (a type error in the server?)');
const routerTypes = `/**
 * The procedures of the Aldero API: every one's input, output (as the JSON answer) and kind, written
 * out from the server's router by \`npm run pack\` (components/packages/sdk/router-shape.ts).
 */
${shape.replace('export declare const shape', 'declare const shape')}
export type RouterShape = typeof shape;
/** What each procedure takes (\`RouterInputs['auth']['mfa']['sms']['setup']\`). */
export type RouterInputs = RouterShape['inputs'];
/** What each procedure answers, as it arrives in JSON. */
export type RouterOutputs = RouterShape['outputs'];
/** \`'query'\` (GET) or \`'mutation'\` (POST) for each procedure. */
export type ProcedureKinds = RouterShape['kinds'];
export {};
`;
copyDeclarations(
  sdkDir,
  ['components/client/index.d.ts'],
  (path) => (path.startsWith('components/client/') ? path.replace('components/client/', 'types/') : contractPlace(path)),
  { 'components/client/router.d.ts': routerTypes },
);
writeFileSync(join(sdkDir, 'package.json'), JSON.stringify(sdkManifest, null, 2) + '\n');
cpSync(here('sdk/README.md'), join(sdkDir, 'README.md'));

// The SDK's types stand alone: no server, no tRPC, no package at all.
const check = mkdtempSync(join(tmpdir(), 'aldero-types-check-'));
writeFileSync(
  join(check, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2023', 'DOM'], types: [] },
    files: [join(sdkDir, 'types/index.d.ts')],
  }),
);
run(process.execPath, [bin('typescript/bin/tsc'), '-p', join(check, 'tsconfig.json')]);
rmSync(check, { recursive: true, force: true });

// --- @aldero/elements --------------------------------------------------------------------------
const elementsDir = join(out, 'elements'); // the package build wrote its modules here
const entryNames = ['index', 'aldero-mfa-challenge', 'aldero-sms-enroll', 'aldero-recovery-codes'];
for (const name of entryNames) {
  if (!existsSync(join(elementsDir, `${name}.js`))) throw new Error(`pack: the package build wrote no ${name}.js`);
}
copyDeclarations(
  elementsDir,
  entryNames.map((name) => `components/${name}.d.ts`),
  (path) => (path.startsWith('components/client/') ? '@aldero/sdk' : path.startsWith('components/') ? path.replace('components/', 'types/') : contractPlace(path)),
);
cpSync(here('elements/react.d.ts'), join(elementsDir, 'types/react.d.ts'));
cpSync(here('elements/react.js'), join(elementsDir, 'react.js'));
cpSync(join(root, 'dist/components/custom-elements.json'), join(elementsDir, 'custom-elements.json'));
writeFileSync(join(elementsDir, 'package.json'), JSON.stringify(elementsManifest, null, 2) + '\n');
cpSync(here('elements/README.md'), join(elementsDir, 'README.md'));
rmSync(declarations, { recursive: true, force: true });

// --- tarballs ----------------------------------------------------------------------------------
for (const dir of [sdkDir, elementsDir]) {
  const result = spawnSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`pack: npm pack in ${relative(root, dir)} failed\n${result.stderr}`);
  const [{ filename, files }] = JSON.parse(result.stdout);
  const tarball = readFileSync(join(out, filename));
  const sha256 = createHash('sha256').update(tarball).digest('hex');
  console.log(`${relative(root, join(out, filename))}  ${(tarball.length / 1024).toFixed(1)} KB, ${files.length} files, sha256 ${sha256.slice(0, 16)}`);
}
