import { accountProcedures, devicesRouter } from './accounts/router.ts';
import { adminRouter } from './admin/router.ts';
import { loginProcedure, mfaRouter } from './mfa/router.ts';
import { platformRouter, tenantFaceRouter } from './platform/router.ts';
import { sandboxRouter } from './sandbox/router.ts';
import { router } from './trpc.ts';

/** Every procedure of the API; served as tRPC at `/trpc` and as the guide's REST routes. */
export const appRouter = router({
  auth: router({
    ...accountProcedures,
    login: loginProcedure,
    mfa: mfaRouter,
    devices: devicesRouter,
  }),
  admin: adminRouter,
  sandbox: sandboxRouter,
  tenant: tenantFaceRouter,
  /** The operator's API, on the apex host only. */
  platform: platformRouter,
});

export type AppRouter = typeof appRouter;
