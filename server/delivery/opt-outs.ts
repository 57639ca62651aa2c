import { typed, type TypedCollection } from '../store/typed.ts';
import { canonicalPhone } from '../phone.ts';
import type { Store } from '../store/index.ts';
import { isDuplicateKey } from './throttle.ts';
import type { OptOutDoc } from './types.ts';

/**
 * Opt-outs per (sender number, handset), as carriers apply them: a STOP to a number blocks that
 * number only. For the shared number that spans every tenant sending through it — the carrier
 * blocks it the same way — so this collection is keyed by number, not by tenant.
 */

/** Carrier opt-out and opt-in keywords (CTIA; Telnyx's defaults): the whole reply, any case. */
const OPT_OUT_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const OPT_IN_WORDS = new Set(['START', 'UNSTOP']);
const HELP_WORDS = new Set(['HELP', 'INFO']);

export type ReplyKeyword = { kind: 'opt_out' | 'opt_in' | 'help'; word: string };

export function replyKeyword(text: string): ReplyKeyword | null {
  const word = text.trim().toUpperCase();
  if (OPT_OUT_WORDS.has(word)) return { kind: 'opt_out', word };
  if (OPT_IN_WORDS.has(word)) return { kind: 'opt_in', word };
  if (HELP_WORDS.has(word)) return { kind: 'help', word };
  return null;
}

/**
 * Opt-outs are kept under the canonical E.164 form of both numbers, as they are counted and sent:
 * a reply from a handset spelled differently (Telnyx sends E.164; a BYO carrier may not) still
 * lands on the pair we text.
 */
function canonical(phone: string): string {
  return canonicalPhone(phone) ?? phone;
}

function optOutId(sender: string, phone: string): string {
  return `${canonical(sender)}|${canonical(phone)}`;
}

/** The opt-out state per pair (`optOuts`): every filter and update on it is here. */
export class OptOuts {
  private readonly collection: TypedCollection<OptOutDoc>;

  constructor(store: Store) {
    this.collection = typed(store.collection<OptOutDoc>('optOuts'));
  }

  async isOptedOut(sender: string, phone: string): Promise<boolean> {
    return (await this.collection.findOne({ _id: optOutId(sender, phone), optedOut: true }, { projection: { _id: 1 } })) !== null;
  }

  /**
   * Sets the pair's state as of `at`, unless a later event already set it: replies and their
   * webhooks can arrive out of order, and the newest one must win. One conditional upsert.
   * Answers whether this event was applied (false: a newer one already holds the pair).
   */
  async record(input: { sender: string; phone: string; optedOut: boolean; source: string; at: Date; now: Date }): Promise<boolean> {
    try {
      const result = await this.collection.updateOne(
        { _id: optOutId(input.sender, input.phone), lastEventAt: { $lte: input.at } },
        {
          $set: { sender: canonical(input.sender), phone: canonical(input.phone), optedOut: input.optedOut, source: input.source, lastEventAt: input.at, updatedAt: input.now },
          $setOnInsert: { lastHelpAt: null },
        },
        { upsert: true },
      );
      return result.matchedCount + result.upsertedCount > 0;
    } catch (error) {
      // A newer event holds the pair: the filter missed and the upsert hit the existing _id.
      if (!isDuplicateKey(error)) throw error;
      return false;
    }
  }

  /** A HELP reply: recorded (Telnyx answers it with the profile's help text); the state stays. */
  async recordHelp(input: { sender: string; phone: string; at: Date; now: Date }): Promise<void> {
    await this.collection.updateOne(
      { _id: optOutId(input.sender, input.phone) },
      {
        $set: { lastHelpAt: input.at, updatedAt: input.now },
        $setOnInsert: { sender: canonical(input.sender), phone: canonical(input.phone), optedOut: false, source: 'HELP', lastEventAt: new Date(0) },
      },
      { upsert: true },
    );
  }
}
