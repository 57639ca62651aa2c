/** Dotted-path traversal with MongoDB's implicit array semantics. */
import type { Document } from 'mongodb';
import { getField, isDocument } from './values.ts';

/**
 * Called for every value a dotted path reaches. `fromArray` is true for the elements of an
 * array found at the end of the path (MongoDB matches `{tags: "x"}` against `tags: ["x"]` this
 * way); operators such as `$size` and `$elemMatch` look at the array itself only.
 * Returning true stops the walk.
 */
export type PathVisitor = (value: unknown, fromArray: boolean) => boolean;

const arrayIndexPattern = /^(0|[1-9][0-9]*)$/;

export function isArrayIndex(part: string): boolean {
  return arrayIndexPattern.test(part);
}

export function splitPath(path: string): string[] {
  return path.split('.');
}

/** True when `visit` returns true for any value reachable at `parts` (missing is visited as undefined). */
export function someAtPath(root: unknown, parts: readonly string[], visit: PathVisitor): boolean {
  return walk(root, parts, 0, visit);
}

function walk(value: unknown, parts: readonly string[], depth: number, visit: PathVisitor): boolean {
  if (depth === parts.length) {
    if (visit(value, false)) return true;
    if (Array.isArray(value)) {
      for (const element of value) if (visit(element, true)) return true;
    }
    return false;
  }
  const part = parts[depth];
  if (isDocument(value)) return walk(getField(value, part), parts, depth + 1, visit);
  if (Array.isArray(value)) {
    if (isArrayIndex(part)) {
      // `a.0.b` addresses the first element, and also a field named "0" of an element.
      const index = Number(part);
      let found = false;
      if (index < value.length) {
        found = true;
        if (walk(value[index], parts, depth + 1, visit)) return true;
      }
      for (const element of value) {
        if (isDocument(element) && Object.hasOwn(element, part)) {
          found = true;
          if (walk(element, parts, depth, visit)) return true;
        }
      }
      return found ? false : visit(undefined, false);
    }
    let sawNonDocument = false;
    for (const element of value) {
      if (isDocument(element)) {
        if (walk(element, parts, depth, visit)) return true;
      } else {
        sawNonDocument = true;
      }
    }
    // A scalar element has no such field: the path is missing there.
    return sawNonDocument ? visit(undefined, false) : false;
  }
  return visit(undefined, false);
}

/** Every value at the path, arrays at the end expanded into their elements (for sort keys and distinct). */
export function valuesAtPath(root: unknown, parts: readonly string[]): unknown[] {
  const values: unknown[] = [];
  walk(root, parts, 0, (value, fromArray) => {
    if (fromArray || !Array.isArray(value) || value.length === 0) values.push(value);
    return false;
  });
  return values;
}

/** The value at a path without array expansion (numeric parts index arrays), as updates see it. */
export function getExact(root: Document, parts: readonly string[]): unknown {
  let current: unknown = root;
  for (const part of parts) {
    if (isDocument(current)) current = getField(current, part);
    else if (Array.isArray(current) && isArrayIndex(part)) current = current[Number(part)];
    else return undefined;
  }
  return current;
}
