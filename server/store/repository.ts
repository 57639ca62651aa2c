import type { Collection, Document, Filter } from 'mongodb';

/**
 * The base of every repository: one collection, and the only code that writes its filters and
 * updates (agenda's `MongoJobRepository` is the model). A subclass names each query after the
 * rule it serves (`claimSend`, `failAttempt`) and types it with the driver's `Filter<T>` and
 * `UpdateFilter<T>`, so a misspelt field or a wrong value type fails the typecheck.
 */
export abstract class Repository<T extends Document & { _id: string }> {
  constructor(protected readonly collection: Collection<T>) {}

  /** The document with this id, or null. */
  async findById(id: string): Promise<T | null> {
    return (await this.collection.findOne({ _id: id } as Filter<T>)) as T | null;
  }
}
