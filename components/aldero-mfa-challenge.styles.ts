import { css } from 'lit';

export default css`
  [part~='trust-device'] { display: flex; gap: 0.5em; align-items: center; accent-color: var(--_primary); }
  [part~='code-input'] { font-size: 1.25em; letter-spacing: 0.25em; }
`;
