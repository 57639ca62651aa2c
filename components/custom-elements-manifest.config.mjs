/**
 * custom-elements.json from the elements' JSDoc (`@summary`, `@tag`, `@csspart`, `@cssprop`,
 * `@fires`) and their Lit properties:
 *
 *   npx cem analyze --config components/custom-elements-manifest.config.mjs
 *
 * Written next to the library build (dist/components/custom-elements.json).
 */
export default {
  globs: ['components/aldero-*.ts', 'components/shared/element.ts', 'components/shared/api-element.ts'],
  exclude: ['components/*.styles.ts'],
  outdir: 'dist/components',
  litelement: true,
  plugins: [
    {
      // Private state (`@state()`, `#private`, `private`) is not part of an element's API.
      name: 'aldero-public-api-only',
      packageLinkPhase({ customElementsManifest }) {
        for (const module of customElementsManifest.modules) {
          for (const declaration of module.declarations ?? []) {
            if (declaration.members) {
              declaration.members = declaration.members.filter(
                (member) => member.privacy !== 'private' && member.privacy !== 'protected' && !member.name.startsWith('#'),
              );
            }
          }
        }
      },
    },
  ],
};
