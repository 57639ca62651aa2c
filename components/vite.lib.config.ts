/**
 * The components as a library: ES modules in dist/components, one entry per element plus
 * `index.js` for all three, sharing chunks (lit, the SDK, the shared element code), every
 * dependency bundled so one `<script type="module" src=".../aldero-mfa-challenge.js">` is enough.
 *
 *   npx vite build --config components/vite.lib.config.ts
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  publicDir: false,
  // Lit's decorators are the TypeScript ("experimental") kind, as tsconfig.json declares.
  oxc: { decorator: { legacy: true } },
  build: {
    outDir: here('../dist/components'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    minify: true,
    lib: {
      entry: {
        index: here('./index.ts'),
        'aldero-sms-enroll': here('./aldero-sms-enroll.ts'),
        'aldero-mfa-challenge': here('./aldero-mfa-challenge.ts'),
        'aldero-recovery-codes': here('./aldero-recovery-codes.ts'),
      },
      formats: ['es'],
    },
    rollupOptions: {
      output: {
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name]-[hash].js',
      },
    },
  },
});
