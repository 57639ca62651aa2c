import { css } from 'lit';

export default css`
  [part~='code-list'] { display: grid; grid-template-columns: repeat(auto-fill, minmax(8em, 1fr)); gap: 0.5em 1em; margin: 0; padding: 0.75em 0.75em 0.75em 2.5em; background: var(--_surface); border-radius: var(--_radius); }
  [part~='code'] { font-family: var(--aldero-font-family-code, ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace); font-size: 1.05em; letter-spacing: 0.05em; }
`;
