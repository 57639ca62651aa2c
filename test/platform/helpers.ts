import { randomToken } from '../../server/crypto.ts';
import { nodeRequest, type NodeAnswer } from '../helpers/http.ts';
import type { TestServer } from '../helpers/server.ts';

/** A platform key as an operator would configure one (≥ 32 characters). */
export function newPlatformKey(): string {
  return `pk_test_${randomToken(32)}`;
}

export type ApexAnswer<T = Record<string, any>> = NodeAnswer<T>;

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
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers = {
    host: options.host ?? `localhost:${new URL(server.url).port}`,
    ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
    ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
    ...options.headers,
  };
  return nodeRequest<T>(server.url, method, path, headers, payload);
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
