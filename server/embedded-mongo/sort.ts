/** Sort specifications (`{a: 1, b: -1}`) with MongoDB's array rule: ascending uses the smallest element, descending the largest. */
import type { Document } from 'mongodb';
import { badValue, notImplemented } from './errors.ts';
import { splitPath, valuesAtPath } from './paths.ts';
import { compareValues, isDocument, isNumeric, toNumber } from './values.ts';

interface SortField {
  parts: string[];
  direction: 1 | -1;
}

export type DocumentComparator = (a: Document, b: Document) => number;

function parseSort(spec: Document): SortField[] {
  const fields: SortField[] = [];
  for (const path of Object.keys(spec)) {
    const direction = spec[path];
    if (isDocument(direction)) throw notImplemented(`the sort option ${JSON.stringify(direction)}`);
    if (!isNumeric(direction) || (toNumber(direction) !== 1 && toNumber(direction) !== -1)) {
      throw badValue(`$sort key ordering must be 1 (for ascending) or -1 (for descending)`);
    }
    if (path === '$natural') throw notImplemented('sorting by $natural');
    fields.push({ parts: splitPath(path), direction: toNumber(direction) as 1 | -1 });
  }
  return fields;
}

function sortKey(doc: Document, field: SortField): unknown {
  const values = valuesAtPath(doc, field.parts);
  let chosen: unknown = values[0];
  for (let i = 1; i < values.length; i++) {
    const order = compareValues(values[i], chosen);
    if (field.direction === 1 ? order < 0 : order > 0) chosen = values[i];
  }
  return chosen;
}

export function compileSort(spec: Document): DocumentComparator {
  const fields = parseSort(spec);
  return (a, b) => {
    for (const field of fields) {
      const order = compareValues(sortKey(a, field), sortKey(b, field));
      if (order !== 0) return field.direction * order;
    }
    return 0;
  };
}

/**
 * Sorts with each document's keys computed once (stable: ties keep natural order). With
 * `limit`, only the first `limit` are kept, selected in O(n log limit) rather than by a full
 * sort: findAndModify with a sort needs just the first.
 */
export function sortDocuments<T>(items: T[], spec: Document | undefined, documentOf: (item: T) => Document, limit = Infinity): T[] {
  if (!spec || Object.keys(spec).length === 0) return items.slice(0, limit);
  if (Object.keys(spec).length === 1 && Object.hasOwn(spec, '$natural')) {
    return (isNumeric(spec.$natural) && toNumber(spec.$natural) < 0 ? [...items].reverse() : items).slice(0, limit);
  }
  const fields = parseSort(spec);
  type Keyed = { item: T; keys: unknown[] };
  const compare = (x: Keyed, y: Keyed): number => {
    for (let i = 0; i < fields.length; i++) {
      const order = compareValues(x.keys[i], y.keys[i]);
      if (order !== 0) return fields[i].direction * order;
    }
    return 0;
  };
  const keyOf = (item: T): Keyed => ({ item, keys: fields.map((field) => sortKey(documentOf(item), field)) });
  if (limit >= items.length || limit > 1000) {
    const keyed = items.map(keyOf);
    keyed.sort(compare);
    return keyed.slice(0, limit).map((entry) => entry.item);
  }
  // Top-k: a sorted window of at most `limit`; a new item goes after its equals (stability).
  const window: Keyed[] = [];
  for (const item of items) {
    const keyed = keyOf(item);
    if (window.length === limit && compare(keyed, window[window.length - 1]) >= 0) continue;
    let low = 0;
    let high = window.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compare(keyed, window[middle]) < 0) high = middle;
      else low = middle + 1;
    }
    window.splice(low, 0, keyed);
    if (window.length > limit) window.pop();
  }
  return window.map((entry) => entry.item);
}
