// React users import this entry for its JSX types (types/react.d.ts); at run time it is the main entry.
export * from './index.js';
