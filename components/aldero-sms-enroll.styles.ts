import { css } from 'lit';

export default css`
  .phone { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: 0.75em; }
  [part~='disclosure'] { font-size: 0.875em; color: var(--aldero-color-muted, #4b5563); background: var(--aldero-color-surface, #f3f4f6); padding: 0.75em; border-radius: var(--aldero-radius, 0.5rem); }
  [part~='code-input'] { font-size: 1.25em; letter-spacing: 0.25em; font-variant-numeric: tabular-nums; }
  aldero-recovery-codes::part(base) { padding: 0; border: 0; }
`;
