/**
 * JSX types for React 19: `import '@aldero/elements/react'` (registers the elements, like the
 * main entry) and TypeScript knows `<aldero-sms-enroll>`, `<aldero-mfa-challenge>` and
 * `<aldero-recovery-codes>`. React 19 sets a prop as the element's property when the element has
 * one (`mfaToken`, `accessToken`, `client`, `codes`: objects and secrets stay out of the DOM),
 * as an attribute otherwise, and listens to `onaldero-*` props as the `aldero-*` events.
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { AlderoEventMap, AlderoMfaChallenge, AlderoRecoveryCodes, AlderoSmsEnroll } from './index.js';

export * from './index.js';

/** `onaldero-verified={(event) => event.detail.accessToken}`: each event the element fires, typed. */
type EventProps<Names extends keyof AlderoEventMap> = {
  [Name in Names as `on${Name}`]?: (event: CustomEvent<AlderoEventMap[Name]>) => void;
};

/** The element's public properties as props, its attributes by their own (kebab-case) names, its events. */
type AlderoProps<Element, Props extends keyof Element, Attributes extends string, Events extends keyof AlderoEventMap> = Omit<
  DetailedHTMLProps<HTMLAttributes<Element>, Element>,
  Props
> &
  Partial<Pick<Element, Props>> & { [Attribute in Attributes]?: string } & EventProps<Events> & { class?: string };

/** Where the API is: the tenant, its domain or a fixed base URL, the sandbox, or a ready client. */
type ApiProps = 'tenant' | 'domain' | 'apiBase' | 'sandbox' | 'client' | 'resendDelay' | 'lang' | 'strings';
type ApiAttributes = 'api-base' | 'resend-delay';

export type AlderoMfaChallengeProps = AlderoProps<
  AlderoMfaChallenge,
  'mfaToken' | ApiProps,
  'mfa-token' | ApiAttributes,
  'aldero-code-sent' | 'aldero-verified' | 'aldero-error' | 'aldero-challenge-expired' | 'aldero-start-over'
>;
export type AlderoSmsEnrollProps = AlderoProps<
  AlderoSmsEnroll,
  'accessToken' | 'defaultCountry' | ApiProps,
  'default-country' | ApiAttributes,
  'aldero-code-sent' | 'aldero-enrolled' | 'aldero-recovery-codes-saved' | 'aldero-error'
>;
export type AlderoRecoveryCodesProps = AlderoProps<AlderoRecoveryCodes, 'codes' | 'lang' | 'strings', never, 'aldero-recovery-codes-saved'>;

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'aldero-mfa-challenge': AlderoMfaChallengeProps;
      'aldero-sms-enroll': AlderoSmsEnrollProps;
      'aldero-recovery-codes': AlderoRecoveryCodesProps;
    }
  }
}
