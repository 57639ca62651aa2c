import { z } from 'zod';
import { listSandboxMessages } from '../delivery/index.ts';
import { AppError } from '../errors.ts';
import { inboxProcedure } from '../procedures.ts';
import { phone } from '../schemas.ts';
import { router } from '../trpc.ts';

const messageOutput = z.object({
  id: z.string(),
  to: z.string(),
  from: z.string(),
  body: z.string(),
  createdAt: z.string(),
  status: z.string(),
});

export const sandboxRouter = router({
  messages: inboxProcedure
    .meta({ openapi: { method: 'GET', path: '/v1/sandbox/messages', tags: ['sandbox'], summary: 'The sandbox inbox of a phone number, newest first' }, errors: ['NOT_FOUND'] })
    .input(z.object({ phone, limit: z.coerce.number().int().min(1).max(100).optional() }))
    .output(z.object({ messages: z.array(messageOutput) }))
    .query(async ({ ctx, input }) => {
      if (ctx.req.tenant.env !== 'sandbox') throw new AppError('NOT_FOUND', {}, 'The inbox exists only in the sandbox environment.');
      return listSandboxMessages(ctx.deps, ctx.req.tenant.realm, input.phone, input.limit ?? 20);
    }),
});
