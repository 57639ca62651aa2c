import type { FindCursor, WithId } from 'mongodb';
import type { Realm } from '../store/documents.ts';
import { Repository } from '../store/repository.ts';
import type { AuditEventDoc } from './events.ts';
import { auditFilter, pageNewestFirst, type AuditFilterInput } from './query.ts';

/**
 * `auditEvents`: append-only (inserted here, never updated; the TTL index removes an event when
 * its retention ends). Read by realm, newest first a page at a time, or oldest first for export.
 */
export class AuditEventRepository extends Repository<AuditEventDoc> {
  /** Inserts the events (one insert for one, one batch for several). */
  async insert(docs: AuditEventDoc[]): Promise<void> {
    if (docs.length === 1) await this.collection.insertOne(docs[0]!);
    else await this.collection.insertMany(docs);
  }

  /** A page of the realm's events matching `input`, newest first. */
  pageNewestFirst(realm: Realm, input: AuditFilterInput, page: { cursor?: string; limit?: number }) {
    return pageNewestFirst(this.collection, auditFilter(realm, input), page);
  }

  /** Every event of the realm matching `input`, oldest first, as a cursor. */
  oldestFirst(realm: Realm, input: AuditFilterInput): FindCursor<WithId<AuditEventDoc>> {
    return this.collection.find(auditFilter(realm, input)).sort({ _id: 1 });
  }
}
