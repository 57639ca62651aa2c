/** Inclusion / exclusion projections (`{a: 1, 'b.c': 1}`, `{secret: 0}`, `_id` on by default). */
import type { Document } from 'mongodb';
import { badValue, notImplemented } from './errors.ts';
import { splitPath } from './paths.ts';
import { getField, isDocument, isNumeric, setField, toNumber } from './values.ts';

/** A projection path tree: `true` marks a projected leaf. */
interface PathTree {
  [field: string]: PathTree | true;
}

export type Projector = (doc: Document) => Document;

const identity: Projector = (doc) => doc;

export function isProjectionFlag(value: unknown): boolean {
  return typeof value === 'boolean' || isNumeric(value);
}

function flagValue(value: unknown): boolean {
  return typeof value === 'boolean' ? value : toNumber(value) !== 0;
}

export function addPath(tree: PathTree, path: string): void {
  const parts = splitPath(path);
  let node = tree;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const existing = Object.hasOwn(node, part) ? node[part] : undefined;
    if (i === parts.length - 1) {
      if (existing !== undefined) throw badValue(`Path collision at ${path}`);
      setField(node, part, true);
      return;
    }
    if (existing === true) throw badValue(`Path collision at ${path}`);
    if (existing === undefined) {
      const child: PathTree = {};
      setField(node, part, child);
      node = child;
    } else {
      node = existing;
    }
  }
}

export function compileProjection(spec: Document | undefined | null): Projector {
  if (!spec || Object.keys(spec).length === 0) return identity;
  if (!isDocument(spec)) throw badValue('projection must be an object');
  let includeId = true;
  const included: PathTree = {};
  const excluded: PathTree = {};
  let inclusions = 0;
  let exclusions = 0;
  for (const path of Object.keys(spec)) {
    const value = spec[path];
    if (!isProjectionFlag(value)) {
      throw notImplemented(`the projection ${JSON.stringify({ [path]: value })} (only inclusion/exclusion)`);
    }
    if (path.includes('$')) throw notImplemented(`the positional projection '${path}'`);
    const include = flagValue(value);
    if (path === '_id') {
      includeId = include;
      continue;
    }
    if (include) {
      inclusions++;
      addPath(included, path);
    } else {
      exclusions++;
      addPath(excluded, path);
    }
  }
  if (inclusions > 0 && exclusions > 0) {
    throw badValue(`Cannot do exclusion on field ${Object.keys(excluded)[0]} in inclusion projection`);
  }
  // `{_id: 1}` alone is an inclusion projection of just `_id`.
  const idOnly = inclusions === 0 && exclusions === 0 && includeId;
  if (inclusions > 0 || idOnly) {
    return (doc) => {
      const result: Document = {};
      if (includeId && Object.hasOwn(doc, '_id')) result._id = doc._id;
      includeInto(doc, included, result);
      return result;
    };
  }
  if (!includeId) setField(excluded, '_id', true);
  return (doc) => exclude(doc, excluded);
}

function includeInto(source: Document, tree: PathTree, target: Document): void {
  for (const key of Object.keys(source)) {
    if (!Object.hasOwn(tree, key)) continue;
    const node = tree[key];
    const value = getField(source, key);
    if (node === true) {
      setField(target, key, value);
    } else if (isDocument(value)) {
      const child: Document = {};
      includeInto(value, node, child);
      setField(target, key, child);
    } else if (Array.isArray(value)) {
      setField(target, key, includeInArray(value, node));
    }
  }
}

function includeInArray(array: unknown[], tree: PathTree): unknown[] {
  const result: unknown[] = [];
  for (const element of array) {
    if (isDocument(element)) {
      const child: Document = {};
      includeInto(element, tree, child);
      result.push(child);
    } else if (Array.isArray(element)) {
      result.push(includeInArray(element, tree));
    }
  }
  return result;
}

function exclude(source: Document, tree: PathTree): Document {
  const result: Document = {};
  for (const key of Object.keys(source)) {
    const value = getField(source, key);
    const node = Object.hasOwn(tree, key) ? tree[key] : undefined;
    if (node === true) continue;
    if (node === undefined) setField(result, key, value);
    else if (isDocument(value)) setField(result, key, exclude(value, node));
    else if (Array.isArray(value)) setField(result, key, excludeInArray(value, node));
    else setField(result, key, value);
  }
  return result;
}

function excludeInArray(array: unknown[], tree: PathTree): unknown[] {
  return array.map((element) =>
    isDocument(element) ? exclude(element, tree) : Array.isArray(element) ? excludeInArray(element, tree) : element,
  );
}

export type { PathTree };
