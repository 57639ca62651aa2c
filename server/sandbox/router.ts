import { z } from 'zod';
import { decrypt } from '../crypto.ts';
import { AppError } from '../errors.ts';
import { adminProcedure } from '../procedures.ts';
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
  messages: adminProcedure
    .meta({ openapi: { method: 'GET', path: '/v1/sandbox/messages', tags: ['sandbox'], summary: 'The sandbox inbox of a phone number, newest first' } })
    .input(z.object({ phone: z.string().trim().max(32), limit: z.coerce.number().int().min(1).max(100).optional() }))
    .output(z.object({ messages: z.array(messageOutput) }))
    .query(async ({ ctx, input }) => {
      if (ctx.req.tenant.env !== 'sandbox') throw new AppError('NOT_FOUND', {}, 'The inbox exists only in the sandbox environment.');
      const docs = await ctx.deps.store.sandboxMessages
        .find({ realm: ctx.req.tenant.realm, to: input.phone })
        .sort({ createdAt: -1, _id: -1 })
        .limit(input.limit ?? 20)
        .toArray();
      return {
        messages: docs.map((doc) => ({
          id: doc._id,
          to: doc.to,
          from: doc.from,
          body: decrypt(ctx.deps.keys.secret, 'sandbox-body', doc.body),
          createdAt: doc.createdAt.toISOString(),
          status: doc.status,
        })),
      };
    }),
});
