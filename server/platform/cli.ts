/**
 * `aldero`: the operator's command line over the platform API (the same procedures, over HTTP).
 *
 *   aldero tenants create <slug> --brand <Brand> [--origin <url>]... [--country <XX>]... [--sender-model shared|byo]
 *   aldero tenants list [--limit <n>] [--cursor <slug>]
 *   aldero tenants get|suspend|resume <slug>
 *   aldero tenants update <slug> [--brand <Brand>] [--origin <url>]... [--country <XX>]... [--sender-model shared|byo]
 *   aldero tenants delete <slug> --yes
 *   aldero tenants keys list <slug> [--all]
 *   aldero tenants keys create <slug> [--scope all|live|sandbox|sandbox-inbox] [--label <text>]
 *   aldero tenants keys revoke <slug> <keyId>
 *
 * The server is `--url` (or `ALDERO_URL`, default http://localhost:3000): the apex host, where the
 * platform API is served. The key is `ALDERO_PLATFORM_KEY` (never a flag: flags show in `ps`).
 * `--json` prints the API's answer as JSON. Exit codes: 0 done, 1 refused or failed, 2 usage.
 *
 * Self-contained on purpose (node built-ins only): it runs from the checkout through tsx and from
 * the compiled `dist/server/` alike (bin/aldero.mjs picks one).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface CliIo {
  env: Record<string, string | undefined>;
  out(text: string): void;
  err(text: string): void;
}

interface Parsed {
  positional: string[];
  flags: Map<string, string[]>;
}

class UsageError extends Error {}

const USAGE = `Usage: aldero [--url <url>] [--json] <command>

  tenants create <slug> --brand <Brand> [--origin <url>]... [--country <XX>]... [--sender-model shared|byo]
  tenants list [--limit <n>] [--cursor <slug>]
  tenants get <slug>
  tenants update <slug> [--brand <Brand>] [--origin <url>]... [--country <XX>]... [--sender-model shared|byo]
  tenants suspend <slug>
  tenants resume <slug>
  tenants delete <slug> --yes          erases every document of both environments
  tenants keys list <slug> [--all]     --all: revoked keys too
  tenants keys create <slug> [--scope all|live|sandbox|sandbox-inbox] [--label <text>]
  tenants keys revoke <slug> <keyId>

  --url    the platform's apex URL (default $ALDERO_URL or http://localhost:3000)
  --json   print the API's answer as JSON
  The platform key is read from ALDERO_PLATFORM_KEY.`;

const VALUE_FLAGS = new Set(['url', 'brand', 'origin', 'country', 'sender-model', 'limit', 'cursor', 'scope', 'label']);
const BOOLEAN_FLAGS = new Set(['json', 'yes', 'all', 'help']);

function parse(argv: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (BOOLEAN_FLAGS.has(name)) {
      flags.set(name, ['true']);
    } else if (VALUE_FLAGS.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, [...(flags.get(name) ?? []), value]);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positional, flags };
}

const one = (parsed: Parsed, name: string): string | undefined => parsed.flags.get(name)?.at(-1);
const many = (parsed: Parsed, name: string): string[] | undefined => parsed.flags.get(name);

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

function send(baseUrl: URL, key: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const url = new URL(path, baseUrl);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${key}`,
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : {};
          } catch {
            parsed = { error: 'INVALID_RESPONSE', message: text.slice(0, 200) };
          }
          resolve({ status: res.statusCode ?? 0, body: (parsed ?? {}) as Record<string, unknown> });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('the server did not answer within 60 s')));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Plain columns, header underlined, for people; `--json` is for scripts. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cell = (value: unknown) => (value === null || value === undefined || value === '' ? '-' : Array.isArray(value) ? value.join(',') || '-' : String(value));
  const cells = rows.map((row) => columns.map((column) => cell(row[column])));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) => values.map((value, i) => value.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

const TENANT_COLUMNS = ['slug', 'brand', 'status', 'senderModel', 'allowedOrigins', 'createdAt'];
const KEY_COLUMNS = ['id', 'scope', 'prefix', 'label', 'createdAt', 'lastUsedAt', 'revokedAt'];

function settingsOf(parsed: Parsed): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  const brand = one(parsed, 'brand');
  if (brand !== undefined) settings.brand = brand;
  const origins = many(parsed, 'origin');
  if (origins) settings.allowedOrigins = origins.flatMap((o) => o.split(',')).map((o) => o.trim()).filter(Boolean);
  const countries = many(parsed, 'country');
  if (countries) settings.allowedCountries = countries.flatMap((c) => c.split(',')).map((c) => c.trim().toUpperCase()).filter(Boolean);
  const senderModel = one(parsed, 'sender-model');
  if (senderModel !== undefined) settings.senderModel = senderModel;
  return settings;
}

function need(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`missing ${what}`);
  return value;
}

const seg = (value: string) => encodeURIComponent(value);

/** Runs one command; returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.flags.has('help') || parsed.positional.length === 0) {
    (parsed.flags.has('help') ? io.out : io.err)(USAGE);
    return parsed.flags.has('help') ? 0 : 2;
  }
  const json = parsed.flags.has('json');
  const key = io.env.ALDERO_PLATFORM_KEY?.trim();
  let baseUrl: URL;
  try {
    baseUrl = new URL(one(parsed, 'url') ?? io.env.ALDERO_URL ?? 'http://localhost:3000');
  } catch {
    io.err('--url is not a URL');
    return 2;
  }

  const [group, ...rest] = parsed.positional;
  try {
    if (group !== 'tenants') throw new UsageError(`unknown command ${group}`);
    if (!key) {
      io.err('Set ALDERO_PLATFORM_KEY to the platform key (npm start prints one when it is unset).');
      return 2;
    }
    const api = (method: string, path: string, body?: unknown) => send(baseUrl, key, method, path, body);
    const [action, ...args] = rest;
    let answer: Answer;
    let show: (body: Record<string, unknown>) => string;
    const tenantLines = (body: Record<string, unknown>) => {
      const tenant = body.tenant as Record<string, unknown>;
      const urls = (tenant.urls ?? {}) as Record<string, string>;
      return [table([tenant], TENANT_COLUMNS), '', `live:    ${urls.live ?? '-'}`, `sandbox: ${urls.sandbox ?? '-'}`].join('\n');
    };

    if (action === 'keys') {
      const [keyAction, slugArg, keyId] = args;
      const slug = need(slugArg, '<slug>');
      if (keyAction === 'list') {
        answer = await api('GET', `/v1/platform/tenants/${seg(slug)}/keys${parsed.flags.has('all') ? '?includeRevoked=true' : ''}`);
        show = (body) => table(body.keys as Record<string, unknown>[], KEY_COLUMNS);
      } else if (keyAction === 'create') {
        const body: Record<string, unknown> = {};
        if (one(parsed, 'scope')) body.scope = one(parsed, 'scope');
        if (one(parsed, 'label')) body.label = one(parsed, 'label');
        answer = await api('POST', `/v1/platform/tenants/${seg(slug)}/keys`, body);
        show = (body) => [table([body.key as Record<string, unknown>], KEY_COLUMNS), '', `Admin key (shown once, store it now): ${String(body.adminKey)}`].join('\n');
      } else if (keyAction === 'revoke') {
        answer = await api('DELETE', `/v1/platform/tenants/${seg(slug)}/keys/${seg(need(keyId, '<keyId>'))}`);
        show = (body) => `Revoked ${String((body.key as Record<string, unknown>).id)} (${String((body.key as Record<string, unknown>).prefix)}…): refused from now on.`;
      } else {
        throw new UsageError(`unknown command tenants keys ${keyAction ?? ''}`);
      }
    } else if (action === 'create') {
      const slug = need(args[0], '<slug>');
      const settings = settingsOf(parsed);
      if (settings.brand === undefined) throw new UsageError('missing --brand <Brand>');
      answer = await api('POST', '/v1/platform/tenants', { slug, ...settings });
      show = (body) => [tenantLines(body), '', `Admin key (shown once, store it now): ${String(body.adminKey)}`].join('\n');
    } else if (action === 'list') {
      const query = new URLSearchParams();
      if (one(parsed, 'limit')) query.set('limit', one(parsed, 'limit')!);
      if (one(parsed, 'cursor')) query.set('cursor', one(parsed, 'cursor')!);
      answer = await api('GET', `/v1/platform/tenants${query.size ? `?${query}` : ''}`);
      show = (body) => {
        const lines = [table(body.tenants as Record<string, unknown>[], TENANT_COLUMNS)];
        if (body.nextCursor) lines.push('', `More: aldero tenants list --cursor ${String(body.nextCursor)}`);
        return lines.join('\n');
      };
    } else if (action === 'get' || action === 'suspend' || action === 'resume') {
      const slug = need(args[0], '<slug>');
      answer = action === 'get' ? await api('GET', `/v1/platform/tenants/${seg(slug)}`) : await api('POST', `/v1/platform/tenants/${seg(slug)}/${action}`, {});
      show = tenantLines;
    } else if (action === 'update') {
      const slug = need(args[0], '<slug>');
      answer = await api('PATCH', `/v1/platform/tenants/${seg(slug)}`, settingsOf(parsed));
      show = tenantLines;
    } else if (action === 'delete') {
      const slug = need(args[0], '<slug>');
      if (!parsed.flags.has('yes')) throw new UsageError(`deleting ${slug} erases every document of both its environments; add --yes`);
      answer = await api('DELETE', `/v1/platform/tenants/${seg(slug)}`);
      show = (body) => {
        const erased = Object.entries((body.erased ?? {}) as Record<string, number>).map(([collection, count]) => ({ collection, count }));
        return [`Deleted ${slug}: ${String(body.total)} documents erased.`, '', table(erased, ['collection', 'count'])].join('\n');
      };
    } else {
      throw new UsageError(`unknown command tenants ${action ?? ''}`);
    }

    if (answer.status >= 400) {
      if (json) io.out(JSON.stringify(answer.body, null, 2));
      else io.err(`${String(answer.body.error ?? `HTTP ${answer.status}`)}: ${String(answer.body.message ?? '')}`);
      return 1;
    }
    io.out(json ? JSON.stringify(answer.body, null, 2) : show(answer.body));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`Could not reach ${baseUrl.origin}: ${(error as Error).message}`);
    return 1;
  }
}

/** Run as a program (`bin/aldero.mjs` imports this file and calls it). */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const code = await runCli(argv, {
    env: process.env,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  });
  process.exitCode = code;
}
