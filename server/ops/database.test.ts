import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { TRPCError } from '@trpc/server';
import { MongoNetworkError } from 'mongodb';
import { toAppError } from '../trpc.ts';
import { databaseUnavailable } from './database.ts';

/** The error Node gives a write on a socket whose other end has closed (what the driver let through). */
async function writeAfterPeerEnded(): Promise<Error> {
  const server = createServer((socket) => socket.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const socket = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1' });
  await once(socket, 'end');
  const failed = once(socket, 'error');
  socket.write(Buffer.alloc(16));
  const [error] = (await failed) as [Error];
  socket.destroy();
  server.close();
  return error;
}

test('a raw socket error from the driver (EPIPE after the server closed) is the database gone, a 503', async () => {
  const error = await writeAfterPeerEnded();
  assert.equal((error as NodeJS.ErrnoException).code, 'EPIPE');
  assert.equal(databaseUnavailable(error), 'SocketError:EPIPE');
  // Through tRPC's wrapper, as a procedure throws it.
  const wrapped = new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: error });
  assert.equal(toAppError(wrapped).code, 'SERVICE_UNAVAILABLE');
  assert.equal(databaseUnavailable(new MongoNetworkError('connection closed')), 'MongoNetworkError');
});

test('other errors stay what they are: a bug is a 500, not a 503', () => {
  assert.equal(databaseUnavailable(new Error('boom')), null);
  assert.equal(databaseUnavailable(Object.assign(new Error('no such file'), { code: 'ENOENT' })), null);
  assert.equal(toAppError(new TypeError('x is undefined')).code, 'INTERNAL_ERROR');
});
