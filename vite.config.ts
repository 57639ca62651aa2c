/**
 * Builds the demo — a tenant's app that uses the components through their public entry — from
 * `demo/` to `dist/demo`, which `npm start` serves at `/`. `npm run dev` (server/dev.ts) runs the
 * same config as a dev server with the API behind a proxy.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('./demo', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/demo', import.meta.url));

/** Where the dev server forwards API calls (server/dev.ts sets it to the API it started). */
const apiTarget = process.env.ALDERO_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root,
  // The demo routes on the client (/dashboard/security/mfa); the server falls back to index.html.
  appType: 'spa',
  publicDir: false,
  // Lit's decorators are the TypeScript ("experimental") kind, as tsconfig.json declares.
  oxc: { decorator: { legacy: true } },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
  },
  server: {
    proxy: Object.fromEntries(
      ['/v1', '/trpc', '/.well-known', '/demo-config.json', '/demo-idp', '/healthz'].map((path) => [path, { target: apiTarget }]),
    ),
  },
});
