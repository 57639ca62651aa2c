/**
 * MongoDB wire protocol framing: OP_MSG (with document sequences) and the legacy OP_QUERY
 * handshake answered by OP_REPLY. Only the message layout lives here; commands are elsewhere.
 */
import { BSON } from 'mongodb';
import type { Document } from 'mongodb';

export const OpCode = {
  reply: 1,
  query: 2004,
  compressed: 2012,
  msg: 2013,
} as const;

export const headerSize = 16;

const MsgFlag = {
  checksumPresent: 1 << 0,
  moreToCome: 1 << 1,
  exhaustAllowed: 1 << 16,
} as const;

/**
 * Int64 values keep their type (a Long sent is a Long stored and sent back); int32 and
 * double both become JS numbers, which the serializer writes back as int32 when integral.
 */
const deserializeOptions = { promoteLongs: false } as const;

export interface MessageHeader {
  length: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

export interface CommandRequest {
  /** OP_MSG or OP_QUERY: the reply must use the matching format. */
  format: 'msg' | 'query';
  requestId: number;
  database: string;
  command: Document;
  /** OP_MSG moreToCome: the client expects no reply. */
  noReply: boolean;
}

export class ProtocolError extends Error {}

export function readHeader(buffer: Buffer): MessageHeader {
  return {
    length: buffer.readInt32LE(0),
    requestId: buffer.readInt32LE(4),
    responseTo: buffer.readInt32LE(8),
    opCode: buffer.readInt32LE(12),
  };
}

function readCString(buffer: Buffer, offset: number, end: number): [string, number] {
  const terminator = buffer.indexOf(0, offset);
  if (terminator < 0 || terminator >= end) throw new ProtocolError('unterminated C string');
  return [buffer.toString('utf8', offset, terminator), terminator + 1];
}

function readDocument(buffer: Buffer, offset: number, end: number): [Document, number] {
  if (offset + 5 > end) throw new ProtocolError('truncated BSON document');
  const size = buffer.readInt32LE(offset);
  if (size < 5 || offset + size > end) throw new ProtocolError('BSON document size exceeds its section');
  const doc = BSON.deserialize(buffer.subarray(offset, offset + size), deserializeOptions);
  return [doc, offset + size];
}

/** Parses one complete message (exactly `header.length` bytes). */
export function parseRequest(message: Buffer, header: MessageHeader): CommandRequest {
  if (header.opCode === OpCode.msg) return parseOpMsg(message, header);
  if (header.opCode === OpCode.query) return parseOpQuery(message, header);
  if (header.opCode === OpCode.compressed) {
    throw new ProtocolError('OP_COMPRESSED is not supported by the embedded engine (it does not advertise compression)');
  }
  throw new ProtocolError(`unsupported wire protocol opCode ${header.opCode}`);
}

function parseOpMsg(message: Buffer, header: MessageHeader): CommandRequest {
  const flags = message.readUInt32LE(headerSize);
  const end = header.length - (flags & MsgFlag.checksumPresent ? 4 : 0);
  let offset = headerSize + 4;
  let body: Document | undefined;
  const sequences: [string, Document[]][] = [];
  while (offset < end) {
    const kind = message[offset++];
    if (kind === 0) {
      if (body) throw new ProtocolError('OP_MSG has more than one body section');
      [body, offset] = readDocument(message, offset, end);
    } else if (kind === 1) {
      // Document sequence: the driver sends large `documents`/`updates`/`deletes` arrays this way.
      const sectionEnd = offset + message.readInt32LE(offset);
      if (sectionEnd > end) throw new ProtocolError('document sequence exceeds the message');
      let identifier: string;
      [identifier, offset] = readCString(message, offset + 4, sectionEnd);
      const documents: Document[] = [];
      while (offset < sectionEnd) {
        let doc: Document;
        [doc, offset] = readDocument(message, offset, sectionEnd);
        documents.push(doc);
      }
      sequences.push([identifier, documents]);
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new ProtocolError('OP_MSG without a body section');
  for (const [identifier, documents] of sequences) {
    const existing = body[identifier];
    body[identifier] = Array.isArray(existing) ? [...existing, ...documents] : documents;
  }
  const database = typeof body.$db === 'string' ? body.$db : 'admin';
  return {
    format: 'msg',
    requestId: header.requestId,
    database,
    command: body,
    noReply: (flags & MsgFlag.moreToCome) !== 0,
  };
}

function parseOpQuery(message: Buffer, header: MessageHeader): CommandRequest {
  let offset = headerSize + 4; // flags
  let namespace: string;
  [namespace, offset] = readCString(message, offset, header.length);
  offset += 8; // numberToSkip, numberToReturn
  let query: Document;
  [query, offset] = readDocument(message, offset, header.length);
  const dot = namespace.indexOf('.');
  const database = dot < 0 ? namespace : namespace.slice(0, dot);
  if (namespace.slice(dot + 1) !== '$cmd') {
    throw new ProtocolError(`OP_QUERY is only supported for commands (namespace ${namespace})`);
  }
  // Old drivers may wrap the command: {$query: {...}, $readPreference: ...}.
  const command = query.$query !== undefined && typeof query.$query === 'object' ? (query.$query as Document) : query;
  return { format: 'query', requestId: header.requestId, database, command, noReply: false };
}

let nextRequestId = 1;

function writeHeader(buffer: Buffer, responseTo: number, opCode: number): void {
  buffer.writeInt32LE(buffer.length, 0);
  buffer.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  buffer.writeInt32LE(responseTo, 8);
  buffer.writeInt32LE(opCode, 12);
}

export function encodeOpMsg(responseTo: number, reply: Document): Buffer {
  const body = BSON.serialize(reply);
  const buffer = Buffer.allocUnsafe(headerSize + 5 + body.length);
  writeHeader(buffer, responseTo, OpCode.msg);
  buffer.writeUInt32LE(0, headerSize);
  buffer[headerSize + 4] = 0;
  buffer.set(body, headerSize + 5);
  return buffer;
}

export function encodeOpReply(responseTo: number, reply: Document): Buffer {
  const body = BSON.serialize(reply);
  const buffer = Buffer.allocUnsafe(headerSize + 20 + body.length);
  writeHeader(buffer, responseTo, OpCode.reply);
  buffer.writeInt32LE(0, headerSize); // responseFlags
  buffer.writeBigInt64LE(0n, headerSize + 4); // cursorID
  buffer.writeInt32LE(0, headerSize + 12); // startingFrom
  buffer.writeInt32LE(1, headerSize + 16); // numberReturned
  buffer.set(body, headerSize + 20);
  return buffer;
}

export function encodeReply(request: Pick<CommandRequest, 'format' | 'requestId'>, reply: Document): Buffer {
  return request.format === 'msg' ? encodeOpMsg(request.requestId, reply) : encodeOpReply(request.requestId, reply);
}
