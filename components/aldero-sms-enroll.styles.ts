import { css } from 'lit';

/** The country and the number side by side where both fit; stacked on a phone, so the country's name is never cut. */
export default css`
  .phone { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 14em), 1fr)); gap: 0.75em; }
  [part~='disclosure'] { font-size: 0.875em; color: var(--_muted); background: var(--_surface); padding: 0.75em; border-radius: var(--_radius); }
  [part~='code-input'] { font-size: 1.25em; letter-spacing: 0.25em; font-variant-numeric: tabular-nums; }
  aldero-recovery-codes::part(base) { padding: 0; border: 0; }
`;
