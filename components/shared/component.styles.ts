import { css } from 'lit';

/**
 * The two default palettes. Every colour is an `--aldero-*` custom property a page can set; these
 * are only the values used when it does not. Dark follows `prefers-color-scheme`, or the `theme`
 * attribute (`light`, `dark`) forces one. Each pair keeps text at 4.5:1 or more on the background
 * and the surface, and the focus ring (the primary colour) at 3:1 or more.
 */
const light = css`
  color-scheme: light;
  --_text: var(--aldero-color-text, #1f2937);
  --_muted: var(--aldero-color-muted, #4b5563);
  --_background: var(--aldero-color-background, #ffffff);
  --_surface: var(--aldero-color-surface, #f3f4f6);
  --_border: var(--aldero-color-border, #6b7280);
  --_primary: var(--aldero-color-primary, #4338ca);
  --_primary-contrast: var(--aldero-color-primary-contrast, #ffffff);
  --_danger: var(--aldero-color-danger, #b42318);
`;
const dark = css`
  color-scheme: dark;
  --_text: var(--aldero-color-text, #e5e7eb);
  --_muted: var(--aldero-color-muted, #a3acb9);
  --_background: var(--aldero-color-background, #111827);
  --_surface: var(--aldero-color-surface, #1f2937);
  --_border: var(--aldero-color-border, #7b8494);
  --_primary: var(--aldero-color-primary, #a5b4fc);
  --_primary-contrast: var(--aldero-color-primary-contrast, #111827);
  --_danger: var(--aldero-color-danger, #fca5a5);
`;

/**
 * The common look of every element, driven only by `--aldero-*` custom properties (read once
 * into the `--_*` values above). The shared parts (base, label, hint, input, error, button,
 * primary-button, secondary-button, spinner) style it further. The default focus ring is a 2px
 * gap in the background colour, then 2px of the primary colour: 3:1 or more against the
 * background. (No comments inside the CSS: they would ship in every bundle.)
 */
export default css`
  :host { ${light} }
  @media (prefers-color-scheme: dark) { :host(:not([theme='light'])) { ${dark} } }
  :host([theme='dark']) { ${dark} }
  :host {
    --_radius: var(--aldero-radius, 0.5rem);
    --_spacing: var(--aldero-spacing, 1rem);
    --_focus-ring: var(--aldero-focus-ring, 0 0 0 2px var(--_background), 0 0 0 4px var(--_primary));
    display: block; font: var(--aldero-font-size, 1rem) / 1.5 var(--aldero-font-family, system-ui, sans-serif); color: var(--_text);
  }
  :host([hidden]) { display: none; }
  [part~='base'], form, .field { display: grid; gap: var(--_spacing); }
  [part~='base'] { padding: var(--_spacing); background: var(--_background); border: 1px solid var(--_border); border-radius: var(--_radius); }
  .field { gap: 0.375em; align-content: start; }
  .row { display: flex; flex-wrap: wrap; gap: 0.5em; align-items: center; }
  h2, p { margin: 0; outline: none; }
  h2 { font-size: 1.25em; }
  [part~='label'] { font-weight: 600; }
  [part~='hint'] { color: var(--_muted); font-size: 0.875em; }
  [part~='input'] { box-sizing: border-box; width: 100%; min-width: 0; }
  [part~='input'], button { font: inherit; color: inherit; min-height: 2.75em; padding: 0.5em 0.75em; background: var(--_background); border: 1px solid var(--_border); border-radius: var(--_radius); }
  button { display: inline-flex; align-items: center; justify-content: center; gap: 0.5em; font-weight: 600; cursor: pointer; }
  [part~='primary-button'] { background: var(--_primary); border-color: transparent; color: var(--_primary-contrast); }
  [part~='secondary-button'] { color: var(--_primary); }
  button:disabled { cursor: not-allowed; opacity: 0.6; }
  :focus-visible { outline: 2px solid transparent; box-shadow: var(--_focus-ring); }
  [part~='error'] { color: var(--_danger); }
  [part~='error']:empty { display: none; }
  [part~='spinner'] { width: 1em; height: 1em; border: 2px solid; border-right-color: transparent; border-radius: 50%; animation: aldero-spin 0.8s linear infinite; }
  @keyframes aldero-spin { to { transform: rotate(1turn); } }
`;
