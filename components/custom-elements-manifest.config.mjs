/**
 * custom-elements.json from the elements' JSDoc (`@summary`, `@tag`, `@csspart`, `@cssprop`,
 * `@fires`) and their Lit properties, describing the BUILT modules (what the server serves at
 * /v1/elements/ and what @aldero/elements publishes, with the same file names):
 *
 *   npx cem analyze --config components/custom-elements-manifest.config.mjs
 *
 * Written next to the served build (dist/components/custom-elements.json); `npm run pack` copies
 * it into the package. Each element module (`aldero-mfa-challenge.js`, ...) declares its element
 * with everything it inherits from the shared base classes (which are no module of their own once
 * built), its tag, and its events typed from `AlderoEventMap` (components/shared/events.ts);
 * `index.js` re-exports and defines all three.
 */

/** The detail type of every `aldero-*` event, read from the `AlderoEventMap` interface. */
const eventDetails = new Map();

/** `components/aldero-mfa-challenge.ts` → `aldero-mfa-challenge.js`; other sources are not built modules. */
const builtModule = (path) => /^\/?components\/(aldero-[a-z-]+)\.ts$/.exec(path)?.[1] + '.js';
const isElementSource = (path) => /^\/?components\/aldero-[a-z-]+\.ts$/.test(path);

export default {
  globs: ['components/aldero-*.ts', 'components/shared/element.ts', 'components/shared/api-element.ts', 'components/shared/events.ts'],
  exclude: ['components/*.styles.ts'],
  outdir: 'dist/components',
  litelement: true,
  plugins: [
    {
      name: 'aldero-event-types',
      analyzePhase({ ts, node }) {
        if (!ts.isInterfaceDeclaration(node) || node.name.text !== 'AlderoEventMap') return;
        for (const member of node.members) {
          if (ts.isPropertySignature(member) && member.type) {
            const name = ts.isStringLiteral(member.name) ? member.name.text : member.name.getText();
            eventDetails.set(name, member.type.getText().replace(/\s+/g, ' '));
          }
        }
      },
    },
    {
      // Private state (`@state()`, `#private`, `private`) is not part of an element's API; the
      // shared base classes and helpers are folded into the elements; paths become the built files.
      name: 'aldero-built-modules',
      packageLinkPhase({ customElementsManifest }) {
        const elements = [];
        for (const module of customElementsManifest.modules) {
          if (!isElementSource(module.path)) continue;
          const path = builtModule(module.path);
          for (const declaration of module.declarations ?? []) {
            if (declaration.members) {
              declaration.members = declaration.members.filter(
                (member) => member.privacy !== 'private' && member.privacy !== 'protected' && !member.name.startsWith('#'),
              );
            }
            for (const item of [...(declaration.members ?? []), ...(declaration.attributes ?? [])]) {
              // The base classes are no public module: keep the class name, drop the source path.
              if (item.inheritedFrom) item.inheritedFrom = { name: item.inheritedFrom.name };
            }
            if (declaration.superclass?.module) declaration.superclass = { name: 'LitElement', package: 'lit' };
            for (const event of declaration.events ?? []) {
              const detail = eventDetails.get(event.name);
              if (!detail) throw new Error(`custom-elements: ${declaration.name} fires ${event.name}, which AlderoEventMap does not declare`);
              event.type = { text: `CustomEvent<${detail}>` };
            }
            if (declaration.customElement && declaration.tagName) elements.push({ path, declaration });
          }
          module.path = path;
          module.exports = (module.exports ?? []).map((entry) => ({ ...entry, declaration: { ...entry.declaration, module: path } }));
          for (const { declaration } of elements.filter((element) => element.path === path)) {
            module.exports.push({
              kind: 'custom-element-definition',
              name: declaration.tagName,
              declaration: { name: declaration.name, module: path },
            });
          }
        }
        const index = {
          kind: 'javascript-module',
          path: 'index.js',
          description: 'Defines all three elements; re-exports their classes and the SDK (`AlderoClient`, `AlderoError`).',
          declarations: [],
          exports: [
            ...elements.map(({ path, declaration }) => ({ kind: 'js', name: declaration.name, declaration: { name: declaration.name, module: path } })),
            ...elements.map(({ path, declaration }) => ({
              kind: 'custom-element-definition',
              name: declaration.tagName,
              declaration: { name: declaration.name, module: path },
            })),
          ],
        };
        customElementsManifest.modules = [index, ...customElementsManifest.modules.filter((module) => module.path.endsWith('.js') && module.path !== 'index.js')];
      },
    },
  ],
};
