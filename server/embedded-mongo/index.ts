/**
 * The embedded MongoDB engine: an in-process server speaking the MongoDB wire protocol on
 * 127.0.0.1 with in-memory collections. A development and test fixture for the zero-config
 * default; production talks to a real MongoDB through MONGODB_URI with the same driver code.
 */
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import type { Document } from 'mongodb';
import { runCommand } from './commands.ts';
import type { CommandContext } from './commands.ts';
import { limits } from './commands.ts';
import { Storage } from './storage.ts';
import { OpCode, ProtocolError, encodeReply, headerSize, parseRequest, readHeader } from './wire.ts';
import type { CommandRequest } from './wire.ts';

export interface EmbeddedMongoOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** How often TTL indexes are swept, in milliseconds (default 1000). */
  ttlSweepMs?: number;
}

export interface EmbeddedMongo {
  /** A connection string for `new MongoClient(uri)`. */
  uri: string;
  port: number;
  stop(): Promise<void>;
}

/** Documents a TTL sweep removes before yielding to the connections. */
const TTL_BATCH = 2_000;

export async function startEmbeddedMongo(options: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  const host = options.host ?? '127.0.0.1';
  const storage = new Storage();
  const startedAtMs = Date.now();
  const sockets = new Set<Socket>();
  let connectionCount = 0;

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, {
      storage,
      database: 'admin',
      connectionId: ++connectionCount,
      remoteAddress: `${socket.remoteAddress}:${socket.remotePort}`,
      startedAtMs,
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  // Like MongoDB's TTL monitor, expired documents go in batches: a large expiry is spread over
  // several turns of the event loop instead of stalling every connection at once.
  let sweeping = true;
  const sweep = () => {
    if (sweeping && storage.sweepExpired(Date.now(), TTL_BATCH) >= TTL_BATCH) setImmediate(sweep).unref();
  };
  const sweeper = setInterval(sweep, options.ttlSweepMs ?? 1000);
  sweeper.unref();

  let stopped: Promise<void> | undefined;
  return {
    uri: `mongodb://${host.includes(':') ? `[${host}]` : host}:${port}/?directConnection=true`,
    port,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        sweeping = false;
        clearInterval(sweeper);
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        storage.clear();
      });
      return stopped;
    },
  };
}

/**
 * Reads length-prefixed messages from the socket and answers each one before looking at the
 * next: commands execute synchronously, in arrival order per connection.
 */
function serveConnection(socket: Socket, baseContext: CommandContext): void {
  socket.setNoDelay(true);
  // Chunks are only joined once a whole message has arrived: re-joining on every chunk would
  // copy a large message quadratically often.
  let chunks: Buffer[] = [];
  let buffered = 0;

  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    buffered += chunk.length;
    while (buffered >= 4) {
      if (chunks[0].length < 4) chunks = [Buffer.concat(chunks, buffered)];
      const length = chunks[0].readInt32LE(0);
      if (length < headerSize || length > limits.maxMessageSizeBytes) {
        process.stderr.write(`embedded-mongo: closing connection ${baseContext.connectionId}: invalid message length ${length}\n`);
        socket.destroy();
        return;
      }
      if (buffered < length) return;
      const data = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, buffered);
      // Copy the message out of a larger chunk: Binary values deserialized from it keep a
      // reference to the bytes they came from, which would pin the whole chunk.
      const message = data.length === length ? data : Buffer.from(data.subarray(0, length));
      buffered -= length;
      chunks = buffered > 0 ? [data.subarray(length)] : [];
      const reply = handleMessage(message, baseContext);
      if (reply === 'close') {
        socket.destroy();
        return;
      }
      if (reply) socket.write(reply);
    }
  });
  socket.on('error', () => socket.destroy());
}

function handleMessage(message: Buffer, baseContext: CommandContext): Buffer | undefined | 'close' {
  const header = readHeader(message);
  let request: CommandRequest;
  try {
    request = parseRequest(message, header);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`embedded-mongo: bad message on connection ${baseContext.connectionId}: ${reason}\n`);
    if (header.opCode !== OpCode.msg || error instanceof ProtocolError) return 'close';
    // The framing was fine but a document was not (invalid BSON): say so to the client.
    return encodeReply({ format: 'msg', requestId: header.requestId }, { ok: 0, errmsg: `invalid BSON: ${reason}`, code: 22, codeName: 'InvalidBSON' });
  }
  const reply = runCommand({ ...baseContext, database: request.database }, request.command);
  if (request.noReply) return undefined;
  return encodeSafely(request, reply);
}

function encodeSafely(request: Parameters<typeof encodeReply>[0], reply: Document): Buffer {
  try {
    return encodeReply(request, reply);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return encodeReply(request, { ok: 0, errmsg: `the reply could not be serialized: ${reason}`, code: 10334, codeName: 'BSONObjectTooLarge' });
  }
}
