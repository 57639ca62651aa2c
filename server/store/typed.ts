import type {
  Collection,
  Condition,
  CountDocumentsOptions,
  DeleteOptions,
  DeleteResult,
  Document,
  Filter,
  FindCursor,
  FindOneAndUpdateOptions,
  FindOptions,
  Join,
  NestedPaths,
  PropertyType,
  UpdateFilter,
  UpdateOptions,
  UpdateResult,
  WithId,
} from 'mongodb';

/**
 * Filters and updates that name only fields the document type has. The driver's `Filter<T>`
 * and `UpdateFilter<T>` (and its experimental `Strict*` types) also accept any other key — a
 * misspelt `failedAtempts` would typecheck and match nothing — so every repository writes its
 * queries through these instead, and the compiler refuses a field the document does not declare.
 */

/** Every dotted path of a document: `status`, `mfa.totp.lastUsedStep`, ... */
export type FieldPath<T> = Join<NestedPaths<WithId<T>, []>, '.'>;

export type TypedFilter<T> = {
  [P in FieldPath<T>]?: Condition<PropertyType<WithId<T>, P>>;
} & {
  $and?: TypedFilter<T>[];
  $or?: TypedFilter<T>[];
  $nor?: TypedFilter<T>[];
};

type Fields<T, V> = { [P in FieldPath<T>]?: V };
type FieldValues<T> = { [P in FieldPath<T>]?: PropertyType<WithId<T>, P> };

/** An update document (operators over known fields) or an update pipeline. */
export type TypedUpdate<T> =
  | {
      $set?: FieldValues<T>;
      $setOnInsert?: FieldValues<T>;
      $unset?: Fields<T, '' | true | 1>;
      $inc?: Fields<T, number>;
      $min?: FieldValues<T>;
      $max?: FieldValues<T>;
      $push?: Fields<T, unknown>;
      $pull?: Fields<T, unknown>;
      $addToSet?: Fields<T, unknown>;
    }
  | Document[];

/**
 * The collection as a repository sees it: the driver's own object, with its query methods typed
 * by `TypedFilter` / `TypedUpdate` (no wrapper at run time).
 */
export interface TypedCollection<T extends Document> {
  readonly collectionName: string;
  findOne(filter: TypedFilter<T>, options?: FindOptions): Promise<WithId<T> | null>;
  find(filter: TypedFilter<T>, options?: FindOptions): FindCursor<WithId<T>>;
  countDocuments(filter?: TypedFilter<T>, options?: CountDocumentsOptions): Promise<number>;
  insertOne(document: T): Promise<unknown>;
  insertMany(documents: T[]): Promise<unknown>;
  updateOne(filter: TypedFilter<T>, update: TypedUpdate<T>, options?: UpdateOptions): Promise<UpdateResult<T>>;
  updateMany(filter: TypedFilter<T>, update: TypedUpdate<T>, options?: UpdateOptions): Promise<UpdateResult<T>>;
  findOneAndUpdate(filter: TypedFilter<T>, update: TypedUpdate<T>, options: FindOneAndUpdateOptions & { includeResultMetadata?: false }): Promise<WithId<T> | null>;
  findOneAndUpdate(filter: TypedFilter<T>, update: TypedUpdate<T>): Promise<WithId<T> | null>;
  findOneAndDelete(filter: TypedFilter<T>): Promise<WithId<T> | null>;
  deleteOne(filter: TypedFilter<T>, options?: DeleteOptions): Promise<DeleteResult>;
  deleteMany(filter: TypedFilter<T>, options?: DeleteOptions): Promise<DeleteResult>;
}

/** The driver's collection, seen through the typed facade. */
export function typed<T extends Document>(collection: Collection<T>): TypedCollection<T> {
  return collection as unknown as TypedCollection<T>;
}

/** The driver's types for the rare call the facade does not cover. */
export type { Filter, UpdateFilter };
