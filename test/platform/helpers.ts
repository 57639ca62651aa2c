import { request } from 'node:http';
import { randomToken } from '../../server/crypto.ts';
import type { TestServer } from '../helpers/server.ts';

/** A platform key as an operator would configure one (≥ 32 characters). */
export function newPlatformKey(): string {
  return `pk_test_${randomToken(32)}`;
}

export interface ApexAnswer<T = Record<string, any>> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A call to the apex host (`{domain}` itself: `localhost:PORT` in tests), where the platform API
 * lives. Sent over node:http to the server's address with the apex `Host`, as a browser or curl
 * reaching `http://localhost:PORT` would send it.
 */
export function apex<T = Record<string, any>>(
  server: Pick<TestServer, 'url'>,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; host?: string; headers?: Record<string, string> } = {},
): Promise<ApexAnswer<T>> {
  const target = new URL(server.url);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method,
        path,
        headers: {
          host: options.host ?? `localhost:${target.port}`,
          ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            // keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: body as T, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Creates a tenant through the platform API; returns its answer (tenant and first admin key). */
export async function createTenant(server: Pick<TestServer, 'url'>, platformKey: string, body: Record<string, unknown>) {
  const created = await apex<{ tenant: Record<string, any>; adminKey: string }>(server, 'POST', '/v1/platform/tenants', { key: platformKey, body });
  if (created.status !== 201) throw new Error(`create answered ${created.status}: ${JSON.stringify(created.body)}`);
  // The guide's flow sends many SMS from one test IP: raise the abuse quotas out of its way.
  const raised = await apex(server, 'PATCH', `/v1/platform/tenants/${body.slug as string}`, {
    key: platformKey,
    body: { quotas: { phonePerHour: 1000, phonePerDay: 1000, userPerHour: 1000, ipPerHour: 100_000, tenantPerDay: 1_000_000 } },
  });
  if (raised.status !== 200) throw new Error(`quotas answered ${raised.status}: ${JSON.stringify(raised.body)}`);
  return created.body;
}

/** Every document of every collection, as JSON text per collection (for "nothing of X is left" scans). */
export async function dumpDatabase(server: Pick<TestServer, 'store'>): Promise<Map<string, string[]>> {
  const dump = new Map<string, string[]>();
  const infos = await server.store.db.listCollections({}, { nameOnly: true }).toArray();
  for (const { name } of infos) {
    const docs = await server.store.db.collection(name).find({}).toArray();
    dump.set(name, docs.map((doc) => JSON.stringify(doc)));
  }
  return dump;
}

/** The documents (by collection) whose JSON contains any of `needles`. */
export async function documentsMentioning(server: Pick<TestServer, 'store'>, needles: string[]): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  for (const [name, docs] of await dumpDatabase(server)) {
    const hits = docs.filter((doc) => needles.some((needle) => doc.includes(needle)));
    if (hits.length > 0) found[name] = hits.map((doc) => doc.slice(0, 300));
  }
  return found;
}
