import type { Realm } from '../store/documents.ts';
import { Repository } from '../store/repository.ts';
import type { TypedFilter } from '../store/typed.ts';
import type { ConsentDoc } from './consents.ts';
import { pageNewestFirst } from './query.ts';

/** `consents`: one record per consent given, inserted and never changed. */
export class ConsentRepository extends Repository<ConsentDoc> {
  async insert(consent: ConsentDoc): Promise<void> {
    await this.collection.insertOne(consent);
  }

  /** The newest consent behind a challenge. */
  newestOfChallenge(realm: Realm, challengeId: string): Promise<ConsentDoc | null> {
    return this.collection.findOne({ realm, challengeId }, { sort: { _id: -1 } });
  }

  /** A page of the realm's consents (of a user, of a phone, when given), newest first. */
  pageNewestFirst(realm: Realm, by: { userId?: string; phone?: string }, page: { cursor?: string; limit?: number }) {
    const filter: TypedFilter<ConsentDoc> = {
      realm,
      ...(by.userId ? { userId: by.userId } : {}),
      ...(by.phone ? { phone: by.phone } : {}),
    };
    return pageNewestFirst(this.collection, filter, page);
  }
}
