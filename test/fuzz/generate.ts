/**
 * Generated request bodies for the fuzz suite, reproducible from a seed: schema-aware ones (a
 * body that satisfies the route's schema, with real tokens where the route wants one, and then
 * exactly one thing wrong) and random ones (any JSON, malformed text, raw bytes, odd content
 * types, bodies over the limit).
 */

/** mulberry32: a small, fast, seedable PRNG (not for secrets: for reproducible fuzzing). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A JSON Schema as the OpenAPI document states it (the subset zod-openapi emits). */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
}

/** Real values the server knows, so schema-aware bodies reach past the lookups. */
export interface KnownValues {
  mfaToken(): string;
  refreshToken(): string;
  userId(): string;
  phone(): string;
}

/** What one fuzz case sends. */
export interface FuzzBody {
  kind: 'schema' | 'random';
  /** What was done to it, for the report (`mutate:code:wrong-type`, `random:malformed`, ...). */
  label: string;
  /** The bytes sent; `undefined` sends no body at all. */
  body: Buffer | undefined;
  /** Content-Type; `null` sends none. */
  contentType: string | null;
  /** For GET routes: the value put in the query (REST) or `?input=` (tRPC). */
  query?: unknown;
}

const NASTY_STRINGS = [
  '',
  ' ',
  '\t\n\r',
  '0',
  '-1',
  '1e309',
  'NaN',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '\u0000',
  '\u0000abc',
  '\uD800',
  '\uDFFF',
  'a\uD83Db',
  '\u202Eevil\u202C',
  '\u200F\u0645\u0631\u062D\u0628\u0627',
  'שלום עולם',
  '👩‍👩‍👧‍👦',
  'Ω≈ç√∫˜µ≤≥÷',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗̻͐',
  'ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ',
  '../../../../etc/passwd',
  '%00%2e%2e%2f',
  '<script>alert(1)</script>',
  "' OR '1'='1' --",
  '"; db.dropDatabase(); "',
  '${7*7}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'prototype',
  '$where',
  '$gt',
  '+',
  '+0',
  '+15005550001',
  '+15005550009',
  '+19005550100',
  '+999999999999999',
  '+1555010991１',
  '١٢٣٤٥٦',
  '12345',
  '1234567',
  '000000',
  '999999',
  '123 456',
  ' 123456 ',
  'abcd-ef01',
  'mfa_',
  'Bearer x',
  'a@b',
  'x'.repeat(33),
  'x'.repeat(257),
];

const OPERATORS: unknown[] = [
  { $gt: '' },
  { $ne: null },
  { $gte: 0 },
  { $regex: '.*' },
  { $where: 'sleep(1000) || true' },
  { $in: ['sms', 'totp'] },
  { $exists: true },
  { $expr: { $eq: [1, 1] } },
  { $function: { body: 'function(){return true}', args: [], lang: 'js' } },
];

const FIELD_POLLUTERS = ['__proto__', 'constructor', 'prototype', '$where', '$set', 'toString', 'hasOwnProperty', 'valueOf'];

const CONTENT_TYPES: (string | null)[] = [
  null,
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/xml',
  'application/jsonx',
  'application/octet-stream',
  'application/vnd.api+json',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  ';;;',
];

/** Sets a key as an own enumerable property, even `__proto__`, so JSON.stringify writes it. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export class BodyGenerator {
  readonly random: () => number;

  constructor(seed: number, private readonly known: KnownValues, private readonly bodyLimit: number) {
    this.random = seededRandom(seed);
  }

  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** Printable and not: ASCII, BMP, astral, controls, lone surrogates. */
  randomString(maxLength = 40): string {
    const length = this.int(maxLength + 1);
    let out = '';
    for (let i = 0; i < length; i++) {
      const r = this.random();
      if (r < 0.55) out += String.fromCharCode(32 + this.int(95));
      else if (r < 0.7) out += String.fromCharCode(this.int(32));
      else if (r < 0.85) out += String.fromCharCode(0x80 + this.int(0xd7ff - 0x80));
      else if (r < 0.93) out += String.fromCodePoint(0x10000 + this.int(0x10ffff - 0x10000));
      else out += String.fromCharCode(0xd800 + this.int(0x800));
    }
    return out;
  }

  /** A string near the body limit, or beyond it. */
  hugeString(): string {
    const sizes = [this.bodyLimit - 64, this.bodyLimit - 1, this.bodyLimit + 1, this.bodyLimit * 2, 2048, 8000];
    return this.pick(['x', 'é', '9', '\uD83D\uDE00', ' ']).repeat(Math.max(1, Math.floor(this.pick(sizes) / 2)));
  }

  number(): number {
    return this.pick([0, -0, 1, -1, 0.5, 1e21, -1e21, Number.MAX_SAFE_INTEGER + 2, Number.MIN_VALUE, 2 ** 31, 123456, 1e308, this.int(1e9)]);
  }

  nasty(depth = 0): unknown {
    const r = this.int(14);
    switch (r) {
      case 0:
        return this.pick(NASTY_STRINGS);
      case 1:
        return this.randomString();
      case 2:
        return this.number();
      case 3:
        return String(this.number());
      case 4:
        return this.chance(0.5);
      case 5:
        return null;
      case 6:
        return this.pick(OPERATORS);
      case 7:
        return depth < 3 ? Array.from({ length: this.int(4) }, () => this.nasty(depth + 1)) : [];
      case 8:
        return depth < 3 ? this.randomObject(depth + 1) : {};
      case 9:
        return this.deep(this.pick([10, 100, 1000]));
      case 10:
        return this.chance(0.3) ? this.hugeString() : 'y'.repeat(this.pick([33, 65, 255, 257, 513, 1025]));
      case 11:
        return this.polluter();
      case 12:
        return [this.pick(NASTY_STRINGS)];
      default:
        return { toString: 'x', valueOf: 1, length: -1 };
    }
  }

  deep(depth: number): unknown {
    let value: unknown = this.chance(0.5) ? 'bottom' : {};
    for (let i = 0; i < depth; i++) value = this.chance(0.5) ? [value] : { a: value };
    return value;
  }

  polluter(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    setOwn(out, this.pick(['__proto__', 'constructor', 'prototype']), this.chance(0.5) ? { polluted: 'yes', isAdmin: true } : { prototype: { polluted: 'yes' } });
    return out;
  }

  randomObject(depth = 0): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const count = this.int(5);
    for (let i = 0; i < count; i++) {
      const key = this.chance(0.3) ? this.pick(FIELD_POLLUTERS) : this.chance(0.5) ? this.pick(['email', 'password', 'phone', 'code', 'mfa_token', 'method', 'userId', 'id']) : this.randomString(12);
      setOwn(out, key, this.nasty(depth + 1));
    }
    return out;
  }

  /** A value satisfying `schema`, with the server's real values for the fields that name them. */
  valid(schema: JsonSchema | undefined, field = ''): unknown {
    if (!schema) return {};
    if (schema.const !== undefined) return schema.const;
    if (schema.enum) return this.pick(schema.enum);
    if (schema.anyOf || schema.oneOf) return this.valid(this.pick((schema.anyOf ?? schema.oneOf)!), field);
    switch (schema.type) {
      case 'object': {
        const out: Record<string, unknown> = {};
        for (const [name, property] of Object.entries(schema.properties ?? {})) {
          if (schema.required?.includes(name) || this.chance(0.5)) out[name] = this.valid(property, name);
        }
        return out;
      }
      case 'array':
        return Array.from({ length: Math.min(schema.maxItems ?? 3, this.int(3)) }, () => this.valid(schema.items, field));
      case 'boolean':
        return this.chance(0.5);
      case 'integer':
      case 'number': {
        const min = schema.minimum ?? 0;
        const max = Math.min(schema.maximum ?? 1000, min + 1000);
        return min + this.int(max - min + 1);
      }
      default:
        return this.validString(schema, field);
    }
  }

  validString(schema: JsonSchema, field: string): string {
    const name = field.toLowerCase();
    if (name === 'mfa_token') return this.known.mfaToken();
    if (name === 'refreshtoken') return this.known.refreshToken();
    if (name === 'userid') return this.known.userId();
    if (name.includes('phone')) return this.chance(0.7) ? this.known.phone() : `+1555${String(this.int(1e7)).padStart(7, '0')}`;
    if (name.includes('email') || schema.format === 'email') return `fuzz-${this.int(1e9).toString(36)}@example.com`;
    if (name.includes('password')) return this.chance(0.5) ? 'correct horse battery' : `pw-${this.int(1e9)}-long-enough`;
    if (name === 'code') return this.chance(0.7) ? String(this.int(1e6)).padStart(6, '0') : `${this.int(0xffff).toString(16).padStart(4, '0')}-${this.int(0xffff).toString(16).padStart(4, '0')}`;
    if (name.includes('origin')) return `https://app${this.int(100)}.example.com`;
    if (name.includes('countr')) return this.pick(['US', 'CA', 'FR', 'DE']);
    if (name === 'webotphost') return 'app.example.com';
    if (name === 'url') return 'https://hooks.example.com/aldero';
    if (name === 'since' || name === 'until') return new Date(Date.UTC(2026, 0, 1 + this.int(300))).toISOString();
    const min = schema.minLength ?? 1;
    const length = Math.max(min, Math.min(schema.maxLength ?? 16, 4 + this.int(12)));
    return 'v'.repeat(length);
  }

  /** A valid body with exactly one thing wrong. */
  mutate(schema: JsonSchema | undefined): { value: unknown; label: string } {
    const base = this.valid(schema);
    if (base === null || typeof base !== 'object' || Array.isArray(base)) return { value: this.nasty(), label: 'mutate:whole' };
    const value = base as Record<string, unknown>;
    const fields = Object.keys(schema?.properties ?? {});
    const op = this.int(10);
    if (fields.length === 0 || op === 0) {
      const key = this.chance(0.6) ? this.pick(FIELD_POLLUTERS) : this.randomString(8);
      setOwn(value, key, this.nasty());
      return { value, label: `mutate:extra-key:${key.slice(0, 12)}` };
    }
    const field = this.pick(fields);
    if (op === 1) {
      delete value[field];
      return { value, label: `mutate:${field}:missing` };
    }
    if (op === 2) {
      value[field] = this.pick(OPERATORS);
      return { value, label: `mutate:${field}:operator` };
    }
    if (op === 3) {
      value[field] = typeof value[field] === 'string' ? this.hugeString() : this.pick(NASTY_STRINGS);
      return { value, label: `mutate:${field}:huge-or-string` };
    }
    if (op === 4) {
      value[field] = this.polluter();
      return { value, label: `mutate:${field}:proto` };
    }
    if (op === 5 && typeof value[field] === 'string') {
      value[field] = `${value[field] as string}${this.pick(['\uD800', '\u202E', '\u0000', ' ', '٠'])}`;
      return { value, label: `mutate:${field}:unicode-suffix` };
    }
    if (op === 6) {
      value[field] = typeof value[field] === 'number' ? String(value[field]) : typeof value[field] === 'string' ? Number(value[field]) || 1 : [value[field]];
      return { value, label: `mutate:${field}:wrong-type` };
    }
    value[field] = this.nasty();
    return { value, label: `mutate:${field}:nasty` };
  }

  private json(value: unknown): Buffer {
    return Buffer.from(JSON.stringify(value) ?? 'null');
  }

  /** A schema-aware case: valid JSON of the right content type, one field wrong. */
  schemaAware(schema: JsonSchema | undefined, queryRoute: boolean): FuzzBody {
    const { value, label } = this.mutate(schema);
    if (queryRoute) return { kind: 'schema', label, body: undefined, contentType: null, query: value };
    return { kind: 'schema', label, body: this.json(value), contentType: this.chance(0.9) ? 'application/json' : 'application/json; charset=utf-8' };
  }

  /** A random case: anything a client could send. */
  randomBody(queryRoute: boolean): FuzzBody {
    const r = this.int(16);
    if (queryRoute && r < 8) return { kind: 'random', label: 'random:query', body: undefined, contentType: null, query: this.chance(0.5) ? this.randomObject() : this.nasty() };
    switch (r) {
      case 0:
      case 1:
        return { kind: 'random', label: 'random:object', body: this.json(this.randomObject()), contentType: 'application/json' };
      case 2:
        return { kind: 'random', label: 'random:value', body: this.json(this.nasty()), contentType: 'application/json' };
      case 3: {
        const texts = ['{', '}', '{"a":', '[1,2', '{"email":"x"', 'nul', '{"a":1}{"b":2}', "{'a':1}", '{"a":1,}', '\uFEFF{"a":1}', '{"a":NaN}', '{"a":1e999}', '{"__proto__":{"polluted":"yes"}}', '{"constructor":{"prototype":{"polluted":"yes"}}}', '{"a":"\\ud800"}', '{"a":"\\u0000"}', '//', '1', '"str"', 'true', '[]'];
        return { kind: 'random', label: 'random:malformed-or-odd-json', body: Buffer.from(this.pick(texts)), contentType: 'application/json' };
      }
      case 4:
        return { kind: 'random', label: 'random:empty', body: this.chance(0.5) ? Buffer.alloc(0) : undefined, contentType: this.chance(0.5) ? 'application/json' : null };
      case 5: {
        const bytes = Buffer.from(Array.from({ length: 1 + this.int(64) }, () => this.int(256)));
        return { kind: 'random', label: 'random:bytes', body: bytes, contentType: this.chance(0.5) ? 'application/json' : 'application/octet-stream' };
      }
      case 6:
        return { kind: 'random', label: 'random:invalid-utf8', body: Buffer.concat([Buffer.from('{"code":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]), Buffer.from('"}')]), contentType: 'application/json' };
      case 7: {
        const value = this.randomObject();
        return { kind: 'random', label: 'random:wrong-content-type', body: this.json(value), contentType: this.pick(CONTENT_TYPES) };
      }
      case 8:
        return { kind: 'random', label: 'random:form', body: Buffer.from('email=a%40b.c&password=x&__proto__[polluted]=yes'), contentType: 'application/x-www-form-urlencoded' };
      case 9:
        return { kind: 'random', label: 'random:huge', body: this.json({ email: this.hugeString(), password: 'x' }), contentType: 'application/json' };
      case 10: {
        const depth = this.pick([100, 1000, 5000]);
        const open = this.chance(0.5) ? '[' : '{"a":';
        const close = open === '[' ? ']' : '}';
        return { kind: 'random', label: `random:nested-${depth}`, body: Buffer.from(open.repeat(depth) + '1' + close.repeat(depth)), contentType: 'application/json' };
      }
      case 11:
        return { kind: 'random', label: 'random:array', body: this.json(Array.from({ length: this.int(5) }, () => this.nasty())), contentType: 'application/json' };
      case 12:
        return { kind: 'random', label: 'random:operators', body: this.json({ email: { $gt: '' }, password: { $ne: null }, mfa_token: { $regex: '.*' }, code: { $gt: '' }, phone: { $exists: true }, userId: { $ne: '' } }), contentType: 'application/json' };
      case 13:
        return { kind: 'random', label: 'random:proto-keys', body: Buffer.from(`{"__proto__":{"polluted":"yes","isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"},"${this.pick(['email', 'code', 'mfa_token', 'phone'])}":"x"}`), contentType: 'application/json' };
      case 14:
        return { kind: 'random', label: 'random:numbers-as-strings', body: this.json({ code: 123456, phone: 15550109911, limit: '10', trustDevice: 'true', everywhere: 'yes', mfa_token: 1 }), contentType: 'application/json' };
      default:
        return { kind: 'random', label: 'random:over-limit', body: Buffer.alloc(this.bodyLimit + 1 + this.int(this.bodyLimit), 0x61), contentType: 'application/json' };
    }
  }
}
