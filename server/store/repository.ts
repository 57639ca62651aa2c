import type { Collection, Document } from 'mongodb';
import { typed, type TypedCollection } from './typed.ts';

/**
 * The base of every repository: one collection, and the only code that writes its filters and
 * updates (agenda's `MongoJobRepository` is the model). A subclass names each query after the
 * rule it serves (`claimSend`, `failAttempt`) and writes it through `TypedCollection`, whose
 * filters and updates name only fields the document declares: a misspelt field or a wrong value
 * type fails the typecheck.
 */
export abstract class Repository<T extends Document & { _id: string }> {
  protected readonly collection: TypedCollection<T>;

  constructor(collection: Collection<T>) {
    this.collection = typed(collection);
  }

  /** The document with this id, or null. */
  async findById(id: string): Promise<T | null> {
    return (await this.collection.findOne({ _id: id } as never)) as T | null;
  }
}
