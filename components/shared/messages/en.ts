/**
 * English, the reference language and the only one in the bundles: every other language has
 * exactly these keys (the compiler checks) and loads on demand (`loadLocale` in `../i18n.ts`).
 * The maps keyed by the contract (error codes, rate-limit and delivery reasons) must name every
 * entry, so a new code without a message fails the typecheck. One section per part of the UI,
 * so an element's bundle carries only the English it shows.
 */
import type {
  AppErrorCode,
  ClientErrorCode,
  DeliveryReason,
  RateLimitReason,
} from '../../../server/contract/errors.ts';
import type { PluralMessage } from '../i18n.ts';

/** Server and SDK errors, by code and by rate-limit reason: enrollment and challenge. */
export type ErrorMessages = {
  errors: Record<AppErrorCode | ClientErrorCode, string>;
  /** `MFA_RATE_LIMITED` by its `reason`. */
  rateLimit: Record<RateLimitReason, string>;
  genericError: string;
  tryAgainIn: string;
  attemptsLeft: PluralMessage;
};

/** Why an SMS did not arrive, and the way out; `failed` when the reason is unknown. */
export type DeliveryMessages = Record<DeliveryReason | 'failed', string>;

export type CodeMessages = typeof code;
export type ChallengeMessages = typeof challenge;
export type EnrollMessages = typeof enroll;
export type RecoveryCodesMessages = typeof recoveryCodes;

/** Every section in one language: what a locale module exports. */
export type Locale = {
  errors: ErrorMessages;
  code: CodeMessages;
  challenge: ChallengeMessages;
  enroll: EnrollMessages;
  recoveryCodes: RecoveryCodesMessages;
};

/** The sentence for faults the user cannot fix (configuration, server-to-server codes). */
const unavailable = 'Verification is not available right now. Try again later.';
const smsUnavailable = 'Text messages are unavailable right now.';

export const errors: ErrorMessages = {
  errors: {
    VALIDATION_ERROR: 'Check what you entered and try again.',
    UNAUTHORIZED: 'Your session has ended. Sign in again.',
    INVALID_CREDENTIALS: 'The email or password is incorrect.',
    INVALID_REFRESH_TOKEN: 'Your session has ended. Sign in again.',
    FORBIDDEN: 'This action is not allowed.',
    mfa_required: 'Complete two-step verification to continue.',
    MFA_PASSWORD_REQUIRED: 'Accounts that sign in with an identity provider cannot add text message codes.',
    MFA_FRESH_AUTH_REQUIRED: 'For your security, complete two-step verification again to continue.',
    ORIGIN_NOT_ALLOWED: unavailable,
    TENANT_NOT_FOUND: unavailable,
    TENANT_SUSPENDED: unavailable,
    TENANT_SLUG_TAKEN: unavailable,
    NOT_FOUND: unavailable,
    METHOD_NOT_ALLOWED: unavailable,
    EMAIL_TAKEN: 'An account with this email already exists.',
    MFA_ALREADY_ENABLED: 'Text message verification is already on for your account.',
    MFA_SETUP_REQUIRED: 'Enter your phone number first.',
    MFA_NOT_ENABLED: 'This verification method is not turned on for your account.',
    MFA_INVALID_CODE: 'That code is incorrect.',
    MFA_CHALLENGE_EXPIRED: 'This code has expired.',
    MFA_DELIVERY_FAILED: 'We could not deliver the text message.',
    PAYLOAD_TOO_LARGE: unavailable,
    UNSUPPORTED_MEDIA_TYPE: unavailable,
    MFA_RATE_LIMITED: 'Too many codes were requested.',
    RATE_LIMITED: 'Too many attempts.',
    INVALID_SIGNATURE: unavailable,
    INVALID_PAYLOAD: unavailable,
    INTERNAL_ERROR: 'Something went wrong. Try again.',
    SERVICE_UNAVAILABLE: 'The service is briefly unavailable. Try again in a moment.',
    NETWORK_ERROR: 'Cannot reach the server. Check your connection and try again.',
    CLIENT_NOT_CONFIGURED: unavailable,
    CONFIG_TENANT_MISSING: unavailable,
    CONFIG_MFA_TOKEN_MISSING: unavailable,
    CONFIG_ACCESS_TOKEN_MISSING: unavailable,
    CONFIG_ORIGIN_NOT_ALLOWED: unavailable,
    CONFIG_SANDBOX_MISMATCH: unavailable,
    CONFIG_DISCLOSURE_HIDDEN: unavailable,
  },
  rateLimit: {
    challenge_send_limit: 'No more codes can be sent for this attempt.',
    challenge_attempt_limit: 'Too many incorrect codes.',
    phone_hourly: 'Too many codes were sent to this number.',
    phone_daily: 'Too many codes were sent to this number today.',
    user_hourly: 'Too many codes were requested for your account.',
    ip_hourly: 'Too many codes were requested from this network.',
    tenant_daily_budget: smsUnavailable,
    country_not_allowed: 'Text messages cannot be sent to this country.',
    min_interval: 'Wait a moment before asking for another code.',
    login_attempts: 'Too many sign-in attempts.',
    code_attempts: 'Too many incorrect codes.',
    user_code_attempts: 'Too many incorrect codes for this account.',
    factor_locked: 'Codes are locked for this account after too many incorrect ones. Use a recovery code or contact support.',
    signup_attempts: 'Too many sign-up attempts from this network.',
  },
  genericError: 'Something went wrong. Try again.',
  tryAgainIn: 'Try again in {time}.',
  attemptsLeft: { one: '{count} attempt left.', other: '{count} attempts left.' },
};

/** The code field, resending and pending states: enrollment and challenge. */
export const code = {
  sendsLeft: { one: '{count} resend left', other: '{count} resends left' },
  codeLabel: 'Verification code',
  codeSentTo: 'We sent a {digits}-digit code to {phone}.',
  codeResent: 'We sent the code again.',
  resend: 'Resend code',
  resendIn: 'Resend code in {time}',
  verify: 'Verify',
  loading: 'Loading…',
};

const challengeFailed = 'We could not deliver the text message. Resend the code, or use a recovery code.';
const challengeUnavailable = `${smsUnavailable} Use a recovery code, or try again later.`;

/** The login challenge. */
export const challenge = {
  title: 'Two-step verification',
  totpLabel: 'Authenticator app code',
  recoveryLabel: 'Recovery code',
  recoveryHint: 'One of the recovery codes you saved, like 6dca-d1dd.',
  trustDevice: 'Trust this device for {days} days',
  trustUnavailable: 'This browser cannot be remembered for this site, so you will be asked for a code next time.',
  useSms: 'Use a text message instead',
  useTotp: 'Use your authenticator app',
  useRecovery: 'Use a recovery code',
  sendLimitReached: 'No more codes can be sent. Use the last one, or a recovery code.',
  expiredTitle: 'This sign-in has expired',
  expiredText: 'Codes work for {minutes} minutes. Start over to sign in again and get a new code.',
  attemptsTitle: 'Too many incorrect codes',
  attemptsText: 'For your security, this sign-in was stopped after {attempts} incorrect codes. Start over to sign in again and get a new code.',
  unknownTitle: 'This sign-in cannot continue',
  unknownText: 'This sign-in is not valid or has already ended. Start over to sign in again.',
  startOver: 'Start over',
  verified: 'Verified.',
  delivery: {
    failed: challengeFailed,
    opted_out: 'This number replied STOP. Reply START to it, or use a recovery code.',
    invalid_number: 'This number cannot receive text messages. Use a recovery code instead.',
    sender_daily_limit: challengeUnavailable,
    provider_unavailable: challengeFailed,
    provider_auth_failed: challengeUnavailable,
    provider_rejected: challengeFailed,
    provider_not_configured: challengeUnavailable,
    tenant_suspended: challengeUnavailable,
    sender_not_configured: challengeUnavailable,
    challenge_expired: 'The code was not sent because this sign-in expired. Start over.',
    challenge_completed: 'The code was not sent because this sign-in is already complete.',
    delivery_failed: challengeFailed,
    sending_failed: challengeFailed,
    delivery_unconfirmed: challengeFailed,
  } satisfies DeliveryMessages,
};

const enrollFailed = 'We could not deliver the text message. Resend the code, or use a different number.';
const enrollUnavailable = `${smsUnavailable} Try again later.`;

/** SMS enrollment. The opt-in disclosure is not here: it comes from the contract, word for word. */
export const enroll = {
  title: 'Set up text message verification',
  countryLabel: 'Country',
  phoneLabel: 'Mobile phone number',
  sendCode: 'Send code',
  invalidPhone: 'Enter a valid mobile number.',
  changeNumber: 'Use a different number',
  done: 'Text message verification is on.',
  delivery: {
    failed: enrollFailed,
    opted_out: 'This number replied STOP. Reply START to it, then resend the code, or use a different number.',
    invalid_number: 'This number cannot receive text messages. Use a different number.',
    sender_daily_limit: enrollUnavailable,
    provider_unavailable: enrollFailed,
    provider_auth_failed: enrollUnavailable,
    provider_rejected: enrollFailed,
    provider_not_configured: enrollUnavailable,
    tenant_suspended: enrollUnavailable,
    sender_not_configured: enrollUnavailable,
    challenge_expired: 'The code was not sent because the setup expired. Send a new code.',
    challenge_completed: 'The code was not sent because this number is already verified.',
    delivery_failed: enrollFailed,
    sending_failed: enrollFailed,
    delivery_unconfirmed: enrollFailed,
  } satisfies DeliveryMessages,
};

/** The recovery codes (also the last step of enrollment). */
export const recoveryCodes = {
  recoveryTitle: 'Save your recovery codes',
  recoveryIntro: 'Each code signs you in once if you cannot get a text message. They will not be shown again.',
  copy: 'Copy all',
  copied: 'Codes copied to the clipboard.',
  copyFailed: 'Copying failed: select the codes and copy them.',
  download: 'Download .txt',
  print: 'Print',
  acknowledge: 'I have saved these codes',
  saved: 'Recovery codes saved.',
  fileTitle: '{brand} recovery codes',
  fileNote: 'Each code works once.',
};
