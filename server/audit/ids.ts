import { ObjectId } from 'mongodb';

/**
 * An ObjectId (hex) whose time is `at` (the domain clock), so ids sort by time and, within one
 * process, by creation (ObjectId's counter): the order pagination walks.
 */
export function timeOrderedId(at: Date): string {
  return new ObjectId(ObjectId.generate(Math.floor(at.getTime() / 1000))).toHexString();
}

/** Whether `value` can be one of those ids (a cursor from a client). */
export function isTimeOrderedId(value: string): boolean {
  return /^[0-9a-f]{24}$/.test(value);
}
