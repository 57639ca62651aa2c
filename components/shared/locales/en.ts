/**
 * English, the reference catalogue: every other locale has exactly these keys (the compiler checks).
 * `{name}` is a placeholder; `{ one, other }` are plural forms chosen by `{count}`.
 */

/** Server error codes (and rate-limit reasons) as messages: enrollment and challenge. */
export const errors = {
  errors: {
    VALIDATION_ERROR: 'Check what you entered and try again.',
    MFA_INVALID_CODE: 'That code is incorrect.',
    MFA_CHALLENGE_EXPIRED: 'This code has expired.',
    MFA_RATE_LIMITED: 'Too many codes were requested.',
    NETWORK_ERROR: 'Cannot reach the server. Check your connection and try again.',
  },
  /** `MFA_RATE_LIMITED` by its `reason`. */
  rateLimit: {
    challenge_attempt_limit: 'Too many incorrect codes.',
    tenant_daily_budget: 'Text messages are unavailable right now.',
  },
  genericError: 'Something went wrong. Try again.',
  tryAgainIn: 'Try again in {time}.',
  attemptsLeft: { one: '{count} attempt left.', other: '{count} attempts left.' },
};

/** The code field, resending, pending states: enrollment and challenge. */
export const code = {
  sendsLeft: { one: '{count} resend left', other: '{count} resends left' },
  codeLabel: 'Verification code',
  codeSentTo: 'We sent a 6-digit code to {phone}.',
  codeResent: 'We sent the code again.',
  resend: 'Resend code',
  resendIn: 'Resend code in {time}',
  verify: 'Verify',
  loading: 'Loading…',
};

export const challenge = {
  title: 'Two-step verification',
  totpLabel: 'Authenticator app code',
  recoveryLabel: 'Recovery code',
  recoveryHint: 'One of the recovery codes you saved, like 6dca-d1dd.',
  trustDevice: 'Trust this device for 30 days',
  useSms: 'Use a text message instead',
  useTotp: 'Use your authenticator app',
  useRecovery: 'Use a recovery code',
  sendLimitReached: 'No more codes can be sent for this sign-in. Use the last one, or a recovery code.',
  expiredTitle: 'This sign-in has expired',
  startOver: 'Start over',
  verified: 'Verified. Signing you in…',
  /** Why the code did not arrive, and the way out. */
  delivery: {
    opted_out: 'This number replied STOP. Reply START to it, or use a recovery code.',
    invalid_number: 'This number cannot receive text messages. Use a recovery code instead.',
    failed: 'We could not deliver the text message. Resend the code, or use a recovery code.',
  },
};

export const enroll = {
  errors: {
    UNAUTHORIZED: 'Your session has ended. Sign in again.',
    MFA_PASSWORD_REQUIRED: 'Accounts that sign in with an identity provider cannot add text message codes.',
    MFA_ALREADY_ENABLED: 'Text message verification is already on for your account.',
    MFA_SETUP_REQUIRED: 'Enter your phone number first.',
  },
  rateLimit: {
    challenge_send_limit: 'No more codes can be sent for this attempt.',
    country_not_allowed: 'Text messages cannot be sent to this country.',
  },
  title: 'Set up text message verification',
  countryLabel: 'Country',
  phoneLabel: 'Mobile phone number',
  /** The opt-in disclosure carriers require, shown beside the phone field. Not overridable. */
  disclosure:
    'Verification codes are sent by Aldero, our authentication provider, on behalf of {brand}. Message frequency varies. Message and data rates may apply. Reply STOP to opt out, HELP for help.',
  sendCode: 'Send code',
  invalidPhone: 'Enter a valid mobile number for the selected country.',
  changeNumber: 'Use a different number',
  done: 'Text message verification is on.',
  delivery: {
    opted_out: 'This number replied STOP. Reply START to it, then resend the code, or use a different number.',
    failed: 'We could not deliver the text message. Resend the code, or use a different number.',
  },
};

export const recoveryCodes = {
  recoveryTitle: 'Save your recovery codes',
  recoveryIntro: 'Each code signs you in once if you cannot get a text message. Keep them safe: they will not be shown again.',
  copy: 'Copy all',
  copied: 'Codes copied to the clipboard.',
  copyFailed: 'Copying failed. Select the codes and copy them yourself.',
  download: 'Download .txt',
  print: 'Print',
  acknowledge: 'I have saved these codes',
  saved: 'Recovery codes saved.',
  fileTitle: '{brand} recovery codes',
  fileNote: 'Each code works once.',
};

export type ErrorMessages = typeof errors;
export type CodeMessages = typeof code;
export type ChallengeMessages = typeof challenge;
export type EnrollMessages = typeof enroll;
export type RecoveryCodesMessages = typeof recoveryCodes;
