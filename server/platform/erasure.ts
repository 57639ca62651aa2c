import type { Document, Filter } from 'mongodb';
import type { Realm, TenantDoc, UserDoc } from '../store/documents.ts';
import type { Store } from '../store/index.ts';

/**
 * Erasure: a tenant (both environments) or one user, completely. Rather than a list of the
 * collections known today, every collection of the database is swept with one filter that
 * matches anything of the subject, so a collection added later by any feature is erased too as
 * long as it follows the house rule (`realm` on every tenant document, `userId` on every user's):
 *
 *   - `realm` of the tenant (users, sessions, challenges, trusted devices, sandbox inbox, outbox,
 *     audit events, consents, jobs, ...), `tenantId` (outbox, admin keys), `accountKey` of a BYO
 *     sender (Telnyx events of the tenant's own account);
 *   - string `_id`s that embed the realm (`sms:{realm}:phone:...`, `login:{realm}:{email}`: the
 *     rate counters, which hold phones and e-mail addresses);
 *   - Telnyx events about the subject's messages (by provider message id, read before the outbox
 *     goes), and for a BYO tenant the opt-outs recorded against its own number when no other
 *     tenant sends from it. Opt-outs of Aldero's shared number are the number's state, not the
 *     tenant's: a STOP keeps applying whatever happens to one tenant (they hold no tenant data).
 *
 * Counts are per collection, for the answer ("erased 12 users, 40 sessions, ...").
 */

export type ErasureCounts = Record<string, number>;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

async function collectionNames(store: Store): Promise<string[]> {
  const infos = await store.db.listCollections({}, { nameOnly: true }).toArray();
  return infos.map((info) => info.name).filter((name) => !name.startsWith('system.')).sort();
}

async function providerMessageIds(store: Store, filter: Filter<Document>): Promise<string[]> {
  const ids: string[] = [];
  for await (const message of store.collection('smsOutbox').find(filter, { projection: { providerMessageId: 1 } })) {
    if (typeof message.providerMessageId === 'string') ids.push(message.providerMessageId);
  }
  return ids;
}

async function sweep(store: Store, filter: Filter<Document>, skip: ReadonlySet<string>): Promise<ErasureCounts> {
  const counts: ErasureCounts = {};
  for (const name of await collectionNames(store)) {
    if (skip.has(name)) continue;
    const { deletedCount } = await store.collection(name).deleteMany(filter);
    if (deletedCount > 0) counts[name] = deletedCount;
  }
  return counts;
}

function add(into: ErasureCounts, from: ErasureCounts): ErasureCounts {
  for (const [name, count] of Object.entries(from)) into[name] = (into[name] ?? 0) + count;
  return into;
}

/** The filter of everything of a tenant but its own document. */
function tenantFilter(tenant: Pick<TenantDoc, '_id'>, messageIds: string[]): Filter<Document> {
  const realms: Realm[] = [`${tenant._id}/live`, `${tenant._id}/sandbox`];
  const clauses: Filter<Document>[] = [
    { realm: { $in: realms } },
    { tenantId: tenant._id },
    { accountKey: `byo:${tenant._id}` },
    { _id: new RegExp(`(?:^|:)${escapeRegex(tenant._id)}/(?:live|sandbox)(?::|$)`) },
  ];
  if (messageIds.length > 0) clauses.push({ providerMessageId: { $in: messageIds } });
  return { $or: clauses };
}

/**
 * Erases every document of both environments of the tenant, then the tenant itself. Run it
 * twice and the second finds nothing. `optOuts` is swept only for the tenant's own (BYO) number.
 */
export async function eraseTenantData(store: Store, tenant: TenantDoc): Promise<ErasureCounts> {
  const messageIds = await providerMessageIds(store, { tenantId: tenant._id });
  const counts = await sweep(store, tenantFilter(tenant, messageIds), new Set(['tenants', 'optOuts']));
  const byoNumber = tenant.byo?.fromNumber;
  if (byoNumber) {
    const sharedWithOthers = await store.tenants.countDocuments({ _id: { $ne: tenant._id }, 'byo.fromNumber': byoNumber }, { limit: 1 });
    if (sharedWithOthers === 0) {
      const { deletedCount } = await store.collection('optOuts').deleteMany({ sender: byoNumber });
      if (deletedCount > 0) counts.optOuts = deletedCount;
    }
  }
  const { deletedCount } = await store.tenants.deleteOne({ _id: tenant._id });
  if (deletedCount > 0) counts.tenants = deletedCount;
  return counts;
}

/**
 * Erases one user of a tenant environment: the account (with its factors and recovery codes),
 * sessions, challenges, trusted devices, sandbox messages and outbox messages of its challenges,
 * consents, audit events about it (also those that name its e-mail, such as failed logins),
 * queued notifications, the rate counters keyed by its id, e-mail or phone, and the Telnyx
 * events of its messages.
 */
export async function eraseUser(store: Store, realm: Realm, user: Pick<UserDoc, '_id' | 'email' | 'phone'>): Promise<ErasureCounts> {
  const challengeIds: string[] = [];
  for await (const challenge of store.challenges.find({ realm, userId: user._id }, { projection: { _id: 1 } })) challengeIds.push(challenge._id);
  const messageIds = await providerMessageIds(store, { realm, userId: user._id });
  const keyed = [user._id, user.email, ...(user.phone ? [user.phone] : [])].map(escapeRegex).join('|');
  const clauses: Filter<Document>[] = [
    { realm, userId: user._id },
    { realm, 'payload.userId': user._id },
    { realm, 'payload.email': user.email },
    // `sms:{realm}:user:{id}`, `code-check:{realm}:{id}`, `login:{realm}:{email}:{ip}`, `sms:{realm}:phone:{phone}`...
    { _id: new RegExp(`^[^:]+:${escapeRegex(realm)}:(?:.*:)?(?:${keyed})(?::.*)?$`) },
  ];
  // Messages to the user's phone whose challenge is already gone (a finished enrollment).
  if (user.phone) clauses.push({ realm, to: user.phone });
  if (challengeIds.length > 0) clauses.push({ realm, challengeId: { $in: challengeIds } });
  if (messageIds.length > 0) clauses.push({ providerMessageId: { $in: messageIds } });
  const counts = await sweep(store, { $or: clauses }, new Set(['tenants', 'optOuts', 'users']));
  const { deletedCount } = await store.users.deleteOne({ _id: user._id, realm });
  return add(counts, deletedCount > 0 ? { users: deletedCount } : {});
}

export function totalOf(counts: ErasureCounts): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}
