import {
  CHALLENGE_TTL_SECONDS,
  disclosureText,
  ERROR_CODES,
  MAX_FAILED_ATTEMPTS,
  MAX_SENDS_PER_CHALLENGE,
  TRUSTED_DEVICE_DAYS,
  type AppErrorCode,
} from '../../contract/index.ts';

/**
 * The guide (sms-mfa-guide) as the document's introduction and examples: the flow in Markdown
 * (`info.description`, the first thing /api/docs shows) and the guide's request and answer
 * bodies as the operations' examples. The numbers come from the contract, so the reference says
 * what the server enforces.
 */

export const DEMO_PATH = '/api/docs/demo';
export const DOCS_PATH = '/api/docs';

const minutes = CHALLENGE_TTL_SECONDS / 60;

/** The guide's flow, as the introduction of the API reference (CommonMark). */
export function guideIntroduction(): string {
  return `Add SMS-based 2FA to your Aldero-powered authentication flow. Users enroll a verified phone number and receive a 6-digit code at login.

**Try it live: [${DEMO_PATH}](${DEMO_PATH})** — sign up and enable **SMS Code** under MFA settings.

## Hosts

Every endpoint lives on the tenant host: \`{slug}.aldero.io\` (or \`{slug}-sandbox.aldero.io\` for the sandbox, which never sends a real SMS: read the texts with \`GET /v1/sandbox/messages\`). Where wildcard hosts are impossible, send \`X-Aldero-Tenant: acme-sandbox\` instead. This document is served on every host at \`/v1/openapi.json\`.

## Enroll

1. The user enters a phone (E.164, e.g. \`+15550109911\`): \`POST /v1/auth/mfa/sms/setup\` with the user's access token. A code is texted.
2. The user enters the texted code: \`POST /v1/auth/mfa/sms/confirm\` → \`{ "recoveryCodes": [...] }\`. Display the recovery codes once — they are not retrievable later.

Your enrollment screen must show this opt-in disclosure beside the phone field (carriers require it):

> ${disclosureText('{your-brand}')}

## Login challenge

When a user with SMS enrolled logs in, \`POST /v1/auth/login\` answers \`403 mfa_required\` with an \`mfa_token\` and the \`available_methods\`. The code is sent automatically when SMS is the only enrolled factor; \`POST /v1/auth/mfa/challenge\` sends a fresh one. \`POST /v1/auth/mfa/verify\` with the code answers the tokens; \`trustDevice: true\` skips MFA on this device for ${TRUSTED_DEVICE_DAYS} days through an HttpOnly \`mfa_device\` cookie.

## Disable

\`DELETE /v1/auth/mfa/sms\` with a TOTP code or a recovery code **in the JSON body**. The user's phone is kept; only the SMS factor is removed.

## Rate limits

- **Send rate:** ${MAX_SENDS_PER_CHALLENGE} SMS per challenge (the login auto-send included); the next answers \`429 MFA_RATE_LIMITED\`.
- **Verify rate:** ${MAX_FAILED_ATTEMPTS} wrong codes per challenge, then the challenge is invalidated (\`429 MFA_RATE_LIMITED\`, even for the right code).
- **Lifetime:** a challenge lives ${minutes} minutes (\`410 MFA_CHALLENGE_EXPIRED\`).
- Quotas per phone, user, IP and tenant answer \`429 MFA_RATE_LIMITED\` with a \`reason\`, and with \`Retry-After\` (and \`retryAfterSeconds\`) when waiting helps.

## Errors

Every error answers \`{ "error": CODE, "message": "<sentence>", ...context }\` with the status of its code; each operation lists the codes it can answer. Branch on \`error\`, show \`message\`.

| Code | Status | Meaning |
| --- | --- | --- |
${(['VALIDATION_ERROR', 'UNAUTHORIZED', 'MFA_PASSWORD_REQUIRED', 'MFA_ALREADY_ENABLED', 'MFA_SETUP_REQUIRED', 'MFA_INVALID_CODE', 'MFA_CHALLENGE_EXPIRED', 'MFA_RATE_LIMITED'] as AppErrorCode[])
  .map((code) => `| \`${code}\` | ${ERROR_CODES[code].status} | ${ERROR_CODES[code].message} |`)
  .join('\n')}

## Authentication

- **accessToken**: the user's access token (\`Authorization: Bearer <accessToken>\`) for the user's own routes.
- **adminKey**: the tenant admin key (\`Authorization: Bearer <key>\`), from your back end only, for \`/v1/admin/*\` and \`/v1/sandbox/*\`.
- **platformKey**: the operator's platform key, on the apex host, for \`/v1/platform/*\`.

Every answer carries an \`X-Request-Id\` header; quote it when you report a problem.`;
}

const MFA_TOKEN = 'mfa_7c1b0e4a9f2d4c6e8a1b3d5f7092c4e6';
const ACCESS_TOKEN = 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1c3JfMSJ9.c2lnbmF0dXJl';
const expiresAt = '2026-11-05T10:05:00.000Z';

const codeSent = {
  maskedPhone: '+1 ••• ••• 9911',
  sendsRemaining: MAX_SENDS_PER_CHALLENGE - 1,
  attemptsRemaining: MAX_FAILED_ATTEMPTS,
  expiresAt,
  retryAfterSeconds: 0,
  delivery: { status: 'queued', reason: null },
};

const tokens = { accessToken: ACCESS_TOKEN, refreshToken: 'rt_3b9f1c2d4e5a6b7c8d9e0f1a2b3c4d5e', expiresIn: 900 };

export interface OperationExamples {
  request?: unknown;
  response?: unknown;
}

/** The guide's bodies, by procedure; each is checked against its schema by the document test. */
export const OPERATION_EXAMPLES: Record<string, OperationExamples> = {
  'auth.signup': { request: { email: 'ada@example.com', password: 'correct horse battery' }, response: tokens },
  'auth.login': { request: { email: 'ada@example.com', password: 'correct horse battery' }, response: tokens },
  'auth.mfa.sms.setup': {
    request: { phone: '+15550109911' },
    response: { message: 'Verification code sent via SMS.', phone: '+15550109911', ...codeSent },
  },
  'auth.mfa.sms.confirm': {
    request: { code: '123456' },
    response: { recoveryCodes: ['6dca-d1dd', 'd417-fa55', '0b1e-77c2', '9a4f-3e10', 'c2d8-61ab', '5f03-e9d4', 'e71a-0c5b', '38bd-f2a9', 'a6c4-1d7e', '1e90-b83f'] },
  },
  'auth.mfa.sms.disable': { request: { code: '123456' }, response: { message: 'SMS factor removed.' } },
  'auth.mfa.challenge': {
    request: { mfa_token: MFA_TOKEN, challenge_type: 'oob', oob_channel: 'sms' },
    response: { challenge_type: 'oob', oob_channel: 'sms', ...codeSent, sendsRemaining: MAX_SENDS_PER_CHALLENGE - 2 },
  },
  'auth.mfa.verify': {
    request: { mfa_token: MFA_TOKEN, method: 'sms', code: '123456', trustDevice: true },
    response: { ...tokens, trustedDevice: true },
  },
};

/** An example body of each code (its default sentence and typical context). */
export function errorExample(code: AppErrorCode): Record<string, unknown> {
  const context: Partial<Record<AppErrorCode, Record<string, unknown>>> = {
    VALIDATION_ERROR: { message: 'phone: Phone is not E.164 format', issues: [{ path: 'phone', message: 'Phone is not E.164 format' }] },
    mfa_required: { mfa_token: MFA_TOKEN, available_methods: ['sms'], codeSent, sendError: null },
    MFA_FRESH_AUTH_REQUIRED: { maxAgeSeconds: 600 },
    ORIGIN_NOT_ALLOWED: { origin: 'https://evil.example' },
    TENANT_NOT_FOUND: { tenant: 'acme' },
    MFA_INVALID_CODE: { attemptsRemaining: MAX_FAILED_ATTEMPTS - 1 },
    MFA_CHALLENGE_EXPIRED: { expiresAt },
    MFA_DELIVERY_FAILED: { reason: 'invalid_number' },
    PAYLOAD_TOO_LARGE: { limitBytes: 65536 },
    MFA_RATE_LIMITED: {
      message: `No more than ${MAX_SENDS_PER_CHALLENGE} codes can be sent for one sign-in. Enter the code you received, or start over.`,
      reason: 'challenge_send_limit',
      sendsRemaining: 0,
    },
    RATE_LIMITED: { message: 'Too many failed sign-in attempts. Try again later.', reason: 'login_attempts', retryAfterSeconds: 900 },
    SERVICE_UNAVAILABLE: { retryAfterSeconds: 2, requestId: 'req_5f2c9a7e01b34d68' },
  };
  return { error: code, message: ERROR_CODES[code].message, ...context[code] };
}
