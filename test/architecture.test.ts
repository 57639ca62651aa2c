/**
 * The walls of the house (ARCHITECTURE.md), checked on every import of the source tree rather
 * than remembered:
 *   - server/contract/ imports nothing outside itself (no package, no `node:` module);
 *   - components/ reaches server/ only through the contract at run time (`import type` elsewhere);
 *   - demo/ uses the components only through their public entry, as a tenant would;
 *   - nothing under server/ imports test/;
 *   - only start-up wiring knows the embedded engine;
 *   - the folders of server/ import each other without cycles (run-time imports), and nothing
 *     below the entry imports the entry or the HTTP layer.
 * `import type` is erased at run time; any other import (also `import { type X }`, kept by
 * verbatimModuleSyntax) counts as a run-time arrow.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface SourceImport {
  /** The importing file, relative to the repo root. */
  from: string;
  /** The specifier as written. */
  specifier: string;
  /** The imported file relative to the repo root, for relative specifiers; null for packages. */
  target: string | null;
  typeOnly: boolean;
}

const IMPORT = /(?:^|[\n;])\s*(import|export)\s+(type\s+)?(?:[^'"`;]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every import and re-export of a TypeScript source (comments stripped first). */
export function importsOf(file: string, text: string): SourceImport[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const found: SourceImport[] = [];
  for (const match of code.matchAll(IMPORT)) {
    const specifier = match[3] ?? match[4]!;
    const typeOnly = Boolean(match[2]);
    const target = specifier.startsWith('.') ? relative(root, resolve(root, dirname(file), specifier)) : null;
    found.push({ from: file, specifier, target, typeOnly });
  }
  return found;
}

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') sources(path, out);
    } else if (/\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      out.push(path);
    }
  }
  return out;
}

const isTest = (file: string) => /\.test\.ts$/.test(file);
const allImports = ['server', 'components', 'demo'].flatMap((dir) =>
  sources(dir).flatMap((file) => importsOf(file, readFileSync(join(root, file), 'utf8'))),
);
const runtime = allImports.filter((i) => !i.typeOnly && !isTest(i.from));
const within = (file: string | null, dir: string) => file !== null && (file === dir || file.startsWith(`${dir}/`));
const show = (list: SourceImport[]) => list.map((i) => `${i.from} → ${i.specifier}`);

/** The files allowed to start the embedded engine: start-up wiring, never a feature. */
const ENGINE_WIRING = new Set(['server/database.ts', 'server/dev.ts', 'server/main.ts']);

/**
 * The tRPC procedures (each feature's `router.ts`, the root router and the procedure builders):
 * the adapters over the features, one layer above them.
 */
const isProcedureLayer = (file: string) => file.endsWith('/router.ts') || file === 'server/procedures.ts';

/**
 * The unit of server/ a file belongs to for the cycle check: its folder (`mfa`, `http`, ...),
 * `(procedures)` for the procedure layer, `(root)/<name>` for the other files directly in server/.
 */
function serverUnit(file: string): string {
  if (isProcedureLayer(file)) return '(procedures)';
  const [, first, second] = file.split('/');
  return second === undefined ? `(root)/${first}` : first!;
}

/** Strongly connected components of more than one node (Tarjan): the import cycles. */
export function cycles(edges: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    indexOf.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!indexOf.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, indexOf.get(next)!));
      }
    }
    if (low.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of edges.keys()) if (!indexOf.has(node)) visit(node);
  return found;
}

describe('architecture walls', () => {
  test('the scanner sees run-time, type-only and dynamic imports (a wall with a blind scanner proves nothing)', () => {
    const sample = [
      "import type { A } from '../server/router.ts';",
      "import { type B } from '../server/errors.ts';",
      "export * from './x.ts';",
      "const m = await import('../test/helpers/http.ts');",
      "// import { gone } from '../server/commented.ts';",
    ].join('\n');
    const found = importsOf('components/sample.ts', sample);
    assert.deepEqual(
      found.map((i) => [i.target, i.typeOnly]),
      [['server/router.ts', true], ['server/errors.ts', false], ['components/x.ts', false], ['test/helpers/http.ts', false]],
    );
    assert.deepEqual(cycles(new Map([['a', new Set(['b'])], ['b', new Set(['a', 'c'])], ['c', new Set()]])), [['a', 'b']]);
    assert.ok(allImports.length > 200, `scanned only ${allImports.length} imports`);
  });

  test('server/contract imports nothing but its own files', () => {
    const outside = allImports.filter((i) => within(i.from, 'server/contract') && !within(i.target, 'server/contract'));
    assert.deepEqual(show(outside), []);
  });

  test('components reach server/ at run time only through the contract', () => {
    const crossing = runtime.filter(
      (i) => within(i.from, 'components') && within(i.target, 'server') && !within(i.target, 'server/contract'),
    );
    assert.deepEqual(show(crossing), []);
  });

  test('the demo uses the components only through their public entry', () => {
    const crossing = allImports.filter(
      (i) => within(i.from, 'demo') && (within(i.target, 'server') || (within(i.target, 'components') && i.target !== 'components/index.ts')),
    );
    assert.deepEqual(show(crossing), []);
  });

  test('nothing under server/ imports test/', () => {
    const crossing = allImports.filter((i) => within(i.from, 'server') && !isTest(i.from) && within(i.target, 'test'));
    assert.deepEqual(show(crossing), []);
  });

  test('only start-up wiring knows the embedded engine', () => {
    const crossing = allImports.filter(
      (i) =>
        within(i.from, 'server') &&
        !within(i.from, 'server/embedded-mongo') &&
        !isTest(i.from) &&
        !ENGINE_WIRING.has(i.from) &&
        within(i.target, 'server/embedded-mongo'),
    );
    assert.deepEqual(show(crossing), []);
  });

  test('the folders of server/ import each other without cycles', () => {
    const edges = new Map<string, Set<string>>();
    for (const i of runtime) {
      if (!within(i.from, 'server') || !within(i.target, 'server')) continue;
      const from = serverUnit(i.from);
      const to = serverUnit(i.target!);
      if (from === to) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(to);
    }
    const found = cycles(edges).map((component) => {
      const arrows = runtime.filter(
        (i) => within(i.from, 'server') && within(i.target, 'server') && component.includes(serverUnit(i.from)) && component.includes(serverUnit(i.target!)) && serverUnit(i.from) !== serverUnit(i.target!),
      );
      return `${component.join(' ↔ ')}: ${show(arrows).join('; ')}`;
    });
    assert.deepEqual(found, []);
  });

  test('features do not import the procedure layer above them', () => {
    const upward = runtime.filter(
      (i) => within(i.from, 'server') && !isProcedureLayer(i.from) && !within(i.from, 'server/http') && i.from !== 'server/app.ts' && i.target !== null && isProcedureLayer(i.target),
    );
    assert.deepEqual(show(upward), []);
  });

  test('below the entry, nothing imports the entry or the HTTP layer', () => {
    const entry = new Set(['server/main.ts', 'server/dev.ts', 'server/app.ts']);
    const upward = runtime.filter(
      (i) =>
        within(i.from, 'server') &&
        !entry.has(i.from) &&
        !within(i.from, 'server/http') &&
        (entry.has(i.target ?? '') || within(i.target, 'server/http')),
    );
    assert.deepEqual(show(upward), []);
  });
});
