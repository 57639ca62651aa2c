#!/usr/bin/env node
// The `aldero` operator CLI (package.json `bin`). From a build it runs the compiled
// dist/server/platform/cli.js; in a checkout without one it runs the TypeScript source through
// tsx (a development dependency: a checkout has it; a pruned production install has the build), so `npx aldero` works in both.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/server/platform/cli.js', import.meta.url));
const source = fileURLToPath(new URL('../server/platform/cli.ts', import.meta.url));

let cli;
if (existsSync(compiled)) {
  cli = await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(pathToFileURL(source).href);
}
await cli.main(process.argv.slice(2));
