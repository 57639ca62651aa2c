import { createHash } from 'node:crypto';
import type { Collection } from 'mongodb';
import { DISCLOSURE_VERSIONS, disclosureLanguageOf, disclosureText, type DisclosureLanguage } from '../contract/disclosure.ts';
import type { Context } from '../context.ts';
import { AppError } from '../errors.ts';
import { maskPhone } from '../phone.ts';
import type { Realm, SenderModel } from '../store/documents.ts';
import type { Store } from '../store/index.ts';
import { ConsentRepository } from './consent-repository.ts';
import { timeOrderedId } from './ids.ts';

/**
 * Consent records (`consents`): what carriers ask for when they audit an SMS program — who agreed,
 * to which words, for which brand and sender, when and from where. One record per enrollment
 * request (`sms/setup`), written before the first code is sent. The full phone number is kept
 * here, and only here: it is what the consent is about. Records are kept (no TTL): carriers and
 * regulators ask for them years later.
 */

/**
 * Disclosure versions the server can reproduce the text of. The enroll element sends the version it
 * rendered; anything else is refused, so no consent is ever recorded against unknown words.
 */
const KNOWN_DISCLOSURE_VERSIONS: ReadonlySet<string> = new Set(DISCLOSURE_VERSIONS);

export interface ConsentDoc {
  /** Time-ordered (ObjectId hex). */
  _id: string;
  realm: Realm;
  userId: string;
  /** The enrollment challenge whose code this consent let us send. */
  challengeId: string;
  channel: 'sms';
  purpose: 'mfa_verification_codes';
  phone: string;
  brand: string;
  senderModel: SenderModel;
  senderNumber: string | null;
  /** `component`: our enroll element showed the disclosure; `api`: the tenant's own UI did (its text is not known to us). */
  source: 'component' | 'api';
  disclosureVersion: string | null;
  disclosureLanguage: DisclosureLanguage | null;
  /** The exact words shown, brand filled in. */
  disclosureText: string | null;
  /** SHA-256 of `disclosureText` (UTF-8), hex. */
  disclosureSha256: string | null;
  /**
   * The enroll element checked, just before this setup, that the disclosure was on screen beside
   * the phone field (rendered, not hidden or transparent, readable contrast). False for the API
   * and for records older than the check.
   */
  disclosureVisibilityChecked: boolean;
  ip: string;
  userAgent: string | null;
  requestId: string;
  createdAt: Date;
}

/** The raw collection, for its indexes and the tests; the server reads and writes through `consentRepository`. */
export function consents(store: Store): Collection<ConsentDoc> {
  return store.collection<ConsentDoc>('consents');
}

export function consentRepository(store: Store): ConsentRepository {
  return new ConsentRepository(consents(store));
}

export type ShownDisclosure = Pick<
  ConsentDoc,
  'source' | 'disclosureVersion' | 'disclosureLanguage' | 'disclosureText' | 'disclosureSha256' | 'disclosureVisibilityChecked'
>;

/**
 * The disclosure the user saw, from what the enroll request says: a known version (and the
 * language the element showed it in), or nothing at all (the tenant's own UI, as in the guide's
 * curl). An unknown version is refused before anything is sent.
 */
export function disclosureShown(brand: string, version: string | undefined, language: string | undefined, checked = false): ShownDisclosure {
  if (version === undefined) {
    return { source: 'api', disclosureVersion: null, disclosureLanguage: null, disclosureText: null, disclosureSha256: null, disclosureVisibilityChecked: false };
  }
  if (!KNOWN_DISCLOSURE_VERSIONS.has(version)) {
    throw new AppError(
      'VALIDATION_ERROR',
      { issues: [{ path: 'disclosureVersion', message: `Unknown disclosure version; known: ${[...KNOWN_DISCLOSURE_VERSIONS].join(', ')}` }] },
      'disclosureVersion: this version of the opt-in disclosure is not known. Update the enroll element.',
    );
  }
  const disclosureLanguage = disclosureLanguageOf(language);
  const text = disclosureText(brand, disclosureLanguage);
  return {
    source: 'component',
    disclosureVersion: version,
    disclosureLanguage,
    disclosureText: text,
    disclosureSha256: createHash('sha256').update(text, 'utf8').digest('hex'),
    disclosureVisibilityChecked: checked,
  };
}

/**
 * Writes the consent record of an enrollment request, and its audit event (masked phone only).
 * `senderNumber` is the number the codes leave from, as the delivery feature routes them.
 */
export async function recordConsent(
  ctx: Context,
  input: { userId: string; challengeId: string; phone: string; senderNumber: string | null; disclosure: ShownDisclosure },
): Promise<ConsentDoc> {
  const now = ctx.deps.clock.now();
  const { tenant } = ctx.req.tenant;
  const consent: ConsentDoc = {
    _id: timeOrderedId(now),
    realm: ctx.req.tenant.realm,
    userId: input.userId,
    challengeId: input.challengeId,
    channel: 'sms',
    purpose: 'mfa_verification_codes',
    phone: input.phone,
    brand: tenant.brand,
    senderModel: tenant.senderModel,
    senderNumber: input.senderNumber,
    ...input.disclosure,
    ip: ctx.req.ip,
    userAgent: ctx.req.userAgent,
    requestId: ctx.req.requestId,
    createdAt: now,
  };
  await consentRepository(ctx.deps.store).insert(consent);
  await ctx.deps.audit.record(
    ctx.req,
    'consent.recorded',
    { consentId: consent._id, maskedPhone: maskPhone(input.phone), disclosureVersion: consent.disclosureVersion, source: consent.source },
    { userId: input.userId },
  );
  return consent;
}

/** The newest consent behind an enrollment challenge (the one `confirm` completes). */
export async function consentOfChallenge(ctx: Context, challengeId: string): Promise<ConsentDoc | null> {
  return consentRepository(ctx.deps.store).newestOfChallenge(ctx.req.tenant.realm, challengeId);
}

/** The admin view of a consent. */
export function publicConsent(consent: ConsentDoc) {
  const { _id, realm: _realm, createdAt, ...rest } = consent;
  return { id: _id, createdAt: createdAt.toISOString(), ...rest, disclosureVisibilityChecked: rest.disclosureVisibilityChecked ?? false };
}
