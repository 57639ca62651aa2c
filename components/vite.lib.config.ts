/**
 * The elements as built modules, in two forms.
 *
 * The served build (`vite build --config components/vite.lib.config.ts`, part of `npm run build`):
 * `dist/components/`, what the server serves at `/v1/elements/` and what `npm run size` measures.
 * `index.js` (all three) and one module per element (`aldero-mfa-challenge.js`,
 * `aldero-sms-enroll.js`, `aldero-recovery-codes.js`), each built on its own with everything it
 * needs inlined (lit, the SDK, the contract, libphonenumber-js for enroll, English), so a
 * page downloads exactly one file before the element works; the other languages are hashed chunks
 * under `chunks/` fetched for `lang`. Built one by one rather than sharing chunks because a shared
 * chunk holds what every element uses of a module (all the catalogue, all the contract) and a page
 * then pays for files it half uses: the challenge was 16.4 KB gzip shared, 14 KB alone. The
 * modules may be mixed on one page: an element already defined is not defined again.
 *
 * The package build (`--mode package`, run by `npm run pack`): `dist/packages/elements/`, the
 * modules of `@aldero/elements` for a tenant's bundler: the same entries sharing chunks, readable
 * (the tenant's bundler minifies), with lit, libphonenumber-js and `@aldero/sdk` left
 * as imports so the app keeps one copy of each (and one `AlderoClient` class, so `instanceof`
 * and the `client` property work across both packages).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type BuildEnvironmentOptions, type Plugin } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The public entries: `index` registers all three, each other one its element (and what it uses). */
export const ELEMENT_ENTRIES = {
  index: here('./index.ts'),
  'aldero-mfa-challenge': here('./aldero-mfa-challenge.ts'),
  'aldero-sms-enroll': here('./aldero-sms-enroll.ts'),
  'aldero-recovery-codes': here('./aldero-recovery-codes.ts'),
} as const;

/** Where the server finds the served build (`/v1/elements/{file}`). */
export const SERVED_DIR = here('../dist/components');
const PACKAGE_DIR = here('../dist/packages/elements');
const CLIENT_DIR = here('./client/');

/** The published dependencies of `@aldero/elements`: imported, not bundled, by the package build. */
const PACKAGE_EXTERNALS = [/^lit(\/|$)/, /^libphonenumber-js(\/|$)/];

/** In the package, the SDK the elements use is `@aldero/sdk` (the same module the tenant's code imports). */
function sdkAsPackage(): Plugin {
  return {
    name: 'aldero-sdk-as-package',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!importer || !source.startsWith('.')) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved?.id.startsWith(CLIENT_DIR) ? { id: '@aldero/sdk', external: true } : null;
    },
  };
}

/** Vite's environment names are identifiers: `aldero-sms-enroll` → `aldero_sms_enroll`. */
const environmentOf = (name: string) => name.replaceAll('-', '_');

const common = {
  target: 'es2022',
  sourcemap: true,
  reportCompressedSize: false,
} satisfies BuildEnvironmentOptions;

/** One self-contained, fully minified served module (`lib` mode alone keeps ES whitespace). */
function servedBuild(name: keyof typeof ELEMENT_ENTRIES): BuildEnvironmentOptions {
  return {
    ...common,
    outDir: SERVED_DIR,
    emptyOutDir: false,
    minify: true,
    lib: { entry: { [name]: ELEMENT_ENTRIES[name] }, formats: ['es'] },
    rolldownOptions: {
      output: {
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name]-[hash].js',
        minify: true,
        comments: false,
      },
    },
  };
}

export default defineConfig(({ mode }) => ({
  root: here('.'),
  publicDir: false,
  logLevel: 'warn',
  // Lit's decorators are the TypeScript ("experimental") kind, as tsconfig.json declares.
  oxc: { decorator: { legacy: true } },
  ...(mode === 'package'
    ? {
        plugins: [sdkAsPackage()],
        build: {
          ...common,
          outDir: PACKAGE_DIR,
          emptyOutDir: true,
          minify: false,
          sourcemap: false,
          lib: { entry: ELEMENT_ENTRIES, formats: ['es'] },
          rolldownOptions: {
            external: PACKAGE_EXTERNALS,
            output: { entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
          },
        },
      }
    : {
        // One environment per served module, built one after the other into dist/components.
        environments: Object.fromEntries(
          Object.keys(ELEMENT_ENTRIES).map((name) => [environmentOf(name), { consumer: 'client', build: servedBuild(name as keyof typeof ELEMENT_ENTRIES) }]),
        ),
        builder: {
          async buildApp(builder) {
            const { rm } = await import('node:fs/promises');
            await rm(SERVED_DIR, { recursive: true, force: true });
            for (const name of Object.keys(ELEMENT_ENTRIES)) await builder.build(builder.environments[environmentOf(name)]!);
          },
        },
      }),
}));
