import { css } from 'lit';

/**
 * The common look of every element, driven only by `--aldero-*` custom properties: light values
 * by default, and a dark theme is the same properties with dark values. The shared parts (base,
 * label, hint, input, error, button, primary-button, secondary-button, spinner) style it further.
 */
export default css`
  :host { display: block; font: var(--aldero-font-size, 1rem) / 1.5 var(--aldero-font-family, system-ui, sans-serif); color: var(--aldero-color-text, #1f2937); }
  :host([hidden]) { display: none; }
  [part~='base'], form, .field { display: grid; gap: var(--aldero-spacing, 1rem); }
  [part~='base'] { padding: var(--aldero-spacing, 1rem); background: var(--aldero-color-background, #fff); border: 1px solid var(--aldero-color-border, #d1d5db); border-radius: var(--aldero-radius, 0.5rem); }
  .field { gap: 0.375em; align-content: start; }
  .row { display: flex; flex-wrap: wrap; gap: 0.5em; align-items: center; }
  h2, p { margin: 0; outline: none; }
  h2 { font-size: 1.25em; }
  [part~='label'] { font-weight: 600; }
  [part~='hint'] { color: var(--aldero-color-muted, #4b5563); font-size: 0.875em; }
  [part~='input'] { box-sizing: border-box; width: 100%; }
  [part~='input'], button { font: inherit; color: inherit; min-height: 2.75em; padding: 0.5em 0.75em; background: var(--aldero-color-background, #fff); border: 1px solid var(--aldero-color-border, #d1d5db); border-radius: var(--aldero-radius, 0.5rem); }
  button { display: inline-flex; align-items: center; justify-content: center; gap: 0.5em; font-weight: 600; cursor: pointer; }
  [part~='primary-button'] { background: var(--aldero-color-primary, #4338ca); border-color: transparent; color: var(--aldero-color-primary-contrast, #fff); }
  [part~='secondary-button'] { color: var(--aldero-color-primary, #4338ca); }
  button:disabled { cursor: not-allowed; opacity: 0.6; }
  :focus-visible { outline: 2px solid transparent; box-shadow: var(--aldero-focus-ring, 0 0 0 3px #4338ca80); }
  [part~='error'] { color: var(--aldero-color-danger, #b42318); }
  [part~='error']:empty { display: none; }
  [part~='spinner'] { width: 1em; height: 1em; border: 2px solid; border-right-color: transparent; border-radius: 50%; animation: aldero-spin 0.8s linear infinite; }
  @keyframes aldero-spin { to { transform: rotate(1turn); } }
`;
