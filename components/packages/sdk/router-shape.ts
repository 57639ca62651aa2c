/**
 * Generator input for the published types of @aldero/sdk (never run): declaration emit writes the
 * type of `shape` out in full, every procedure's input, output and kind, because the helpers that
 * compute it cannot be named outside components/client/router.ts. components/packages/pack.mjs
 * turns the emitted declaration into the package's standalone `types/router.d.ts`.
 */
import type { appRouter } from '../../../server/router.ts';
import { routerShape } from '../../client/router.ts';

declare const router: typeof appRouter;

export const shape = routerShape(router);
