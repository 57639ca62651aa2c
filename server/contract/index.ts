/**
 * The API contract shared by the server and the elements at run time: error codes and their
 * statuses, rate-limit and delivery reasons, methods, code formats, the guide's numbers and the
 * opt-in disclosure.
 *
 * The wall: this folder imports nothing but its own files (no `node:` module, no package, no
 * server code), so the browser bundles and the SDK can carry it. Anything may import it;
 * `components/` imports nothing else from `server/` at run time (`import type` only).
 * Checked by test/architecture.test.ts.
 */
export * from './disclosure.ts';
export * from './errors.ts';
export * from './formats.ts';
export * from './methods.ts';
export * from './rules.ts';
