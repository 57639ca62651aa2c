/** Small pieces the demo's pages share: light-DOM elements, error texts, formatting. */
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { isAlderoError } from '../../components/index.ts';

/**
 * The demo's own elements render into the light DOM, so the page's stylesheet styles them; only
 * the Aldero components have shadow roots (styled through `::part` and `--aldero-*`).
 */
export class LightElement extends LitElement {
  protected override createRenderRoot(): HTMLElement {
    return this;
  }
}

const MESSAGES: Record<string, string> = {
  INVALID_CREDENTIALS: 'That email and password do not match an account.',
  EMAIL_TAKEN: 'An account with this email already exists. Sign in instead.',
  NETWORK_ERROR: 'The server could not be reached. Is `npm start` still running?',
  UNAUTHORIZED: 'Your session has ended. Sign in again.',
  MFA_INVALID_CODE: 'That code is not right.',
  MFA_NOT_ENABLED: 'That factor is not turned on for your account.',
};

/** The sentence to show for a failed call: by code, with the server's details where they help. */
export function describeError(error: unknown): string {
  if (!isAlderoError(error)) return 'Something went wrong. Try again.';
  const { code, context } = error;
  if (code === 'VALIDATION_ERROR' && context.issues?.length) return context.issues.map((issue) => issue.message).join(' ');
  let text = MESSAGES[code] ?? error.message;
  if (code === 'MFA_INVALID_CODE' && typeof context.attemptsRemaining === 'number') {
    text += ` ${context.attemptsRemaining} ${context.attemptsRemaining === 1 ? 'attempt' : 'attempts'} left.`;
  }
  const wait = context.retryAfterSeconds;
  if (typeof wait === 'number' && wait > 0 && /RATE_LIMITED/.test(code)) text += ` Try again in ${formatWait(wait)}.`;
  return text;
}

function formatWait(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  return `${Math.ceil(seconds / 60)} min`;
}

/** `+14155550123` → `+1 415 555 0123`. */
export function formatPhone(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

/** `Nov 26, 10:17 AM` (the year only when it is not this one). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  const year = date.getFullYear() === new Date().getFullYear() ? undefined : 'numeric';
  return new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', year, hour: 'numeric', minute: '2-digit' }).format(date);
}

export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(iso));
}

export function formatTime(iso: string): string {
  return new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

/** A readable name for a browser from its User-Agent: "Chrome on Linux". */
export function describeUserAgent(userAgent: string | null): string {
  if (!userAgent) return 'Unknown browser';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /HeadlessChrome\//.test(userAgent)
        ? 'Headless Chrome'
        : /Chrome\//.test(userAgent)
          ? 'Chrome'
          : /Safari\//.test(userAgent)
            ? 'Safari'
            : 'Browser';
  const os = /Windows/.test(userAgent)
    ? 'Windows'
    : /Android/.test(userAgent)
      ? 'Android'
      : /iPhone|iPad/.test(userAgent)
        ? 'iOS'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : 'an unknown system';
  return `${browser} on ${os}`;
}

/** What each `amr` value of the session means (RFC 8176 names where there is one). */
const AMR_LABELS: Record<string, string> = {
  pwd: 'Password',
  fed: 'Identity provider',
  sms: 'SMS code',
  otp: 'Authenticator app',
  rc: 'Recovery code',
  device: 'Trusted device',
  admin: 'Admin session',
};

export function amrLabel(amr: string): string {
  return AMR_LABELS[amr] ?? amr;
}

/** An inline alert region that is always in the DOM, so screen readers announce what lands in it. */
export function alert(message: string | null | undefined, kind: 'error' | 'success' | 'info' = 'error'): TemplateResult {
  return html`<p class="alert alert-${kind}" role=${kind === 'error' ? 'alert' : 'status'} ?hidden=${!message}>${message ?? nothing}</p>`;
}

export function spinner(): TemplateResult {
  return html`<span class="spinner" aria-hidden="true"></span>`;
}

/** Focus on the page's own heading (its h1) once the page has rendered: where a screen reader starts reading. */
export async function focusHeading(root: ParentNode = document): Promise<void> {
  await new Promise((resolve) => requestAnimationFrame(resolve));
  const heading = root.querySelector<HTMLElement>('main h1') ?? root.querySelector<HTMLElement>('#main');
  if (!heading) return;
  heading.tabIndex = -1;
  heading.focus({ preventScroll: true });
}
