/** Loads the vendored unified-format JSON files (Extended JSON, relaxed: numbers as JS numbers, as an application passes them). */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BSON } from 'mongodb';

const { EJSON } = BSON;
import type { Document } from 'mongodb';

export interface SpecFile {
  name: string;
  spec: Document;
}

export function loadSpecFiles(dir: string): SpecFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({ name: name.replace(/\.json$/, ''), spec: EJSON.parse(readFileSync(join(dir, name), 'utf8'), { relaxed: true }) as Document }));
}
