/**
 * Issue 18: `<script type="module" src="https://acme.aldero.io/v1/elements/index.js">` is all a
 * tenant's page needs. The elements take the API, the tenant and the environment from their own
 * script URL (`import.meta.url`).
 *
 * This page does not import the elements' source: it loads the built bundle the API serves at
 * `/v1/elements/` (`npm run build:elements` writes it), from the tenant host
 * `http://acme-sandbox.localhost:{port}` (Chromium resolves `*.localhost` to this machine). The
 * test page is `http://localhost:{port}`, so that is another origin and another site, as a
 * tenant's own domain is for `acme.aldero.io`.
 */
import { expect, oneEvent } from '@open-wc/testing';
import type { AlderoMfaChallenge, AlderoSmsEnroll } from '../../components/index.ts';
import { endpointOfScript } from '../../components/shared/api-element.ts';
import { enrolledUser, latestCode, loginChallenge, part, shadow, signUp, tenantDomain, type, uniquePhone, waitFor } from './helpers.ts';

describe('issue 18: the API and the tenant from the script URL', () => {
  it('endpointOfScript reads a tenant host serving /v1/elements/, and nothing else', () => {
    expect(endpointOfScript('https://acme.aldero.io/v1/elements/index.js')).to.deep.equal({ apiBase: 'https://acme.aldero.io', tenant: 'acme', sandbox: false });
    expect(endpointOfScript('https://acme-sandbox.aldero.io/v1/elements/aldero-mfa-challenge.js')).to.deep.equal({
      apiBase: 'https://acme-sandbox.aldero.io',
      tenant: 'acme',
      sandbox: true,
    });
    // A chunk's URL (a language) says the same as its entry's.
    expect(endpointOfScript('http://acme-sandbox.localhost:3000/v1/elements/chunks/de-BQgO244i.js')).to.deep.equal({
      apiBase: 'http://acme-sandbox.localhost:3000',
      tenant: 'acme',
      sandbox: true,
    });
    for (const elsewhere of [
      'https://cdn.example/aldero/index.js', // another path: a CDN, the tenant's own build
      'http://localhost:3000/v1/elements/index.js', // the apex host: no tenant label
      'http://127.0.0.1:3000/v1/elements/index.js', // an IP address names no tenant
      'http://[::1]:3000/v1/elements/index.js',
      'file:///srv/acme/v1/elements/index.js',
      'not a URL',
    ]) {
      expect(endpointOfScript(elsewhere), elsewhere).to.equal(undefined);
    }
  });

  describe('the built elements loaded from http://acme-sandbox.localhost:{port}/v1/elements/index.js', () => {
    let tenantHost: string;

    before(async function () {
      this.timeout(30_000);
      tenantHost = `http://acme-sandbox.${await tenantDomain()}`;
      const response = await fetch(`${tenantHost}/v1/elements/index.js`).catch((error: Error) => error);
      if (!(response instanceof Response) || !response.ok) {
        throw new Error(
          `${tenantHost}/v1/elements/index.js is not served (${response instanceof Response ? response.status : response.message}): build the elements first (npm run build:elements)`,
        );
      }
      await import(/* @vite-ignore */ `${tenantHost}/v1/elements/index.js`);
    });

    it('a challenge with nothing but mfa-token talks to acme-sandbox on its host, and trust is not offered to this other site', async () => {
      const { email, phone } = await enrolledUser();
      const { mfaToken } = await loginChallenge(email);
      const element = document.createElement('aldero-mfa-challenge') as AlderoMfaChallenge;
      element.setAttribute('mfa-token', mfaToken);
      element.lang = 'en';
      document.body.append(element);
      try {
        await waitFor(() => element.shadowRoot?.querySelector('#code'), 'the code field');
        // Cross-site (localhost → acme-sandbox.localhost): the server says the device cookie cannot stick.
        expect(shadow(element).querySelector('#trust-device')).to.equal(null);
        expect(part(element, '#trust-unavailable').textContent).to.contain('cannot be remembered');
        const verified = oneEvent(element, 'aldero-verified');
        type(part<HTMLInputElement>(element, '#code'), await latestCode(phone, 2));
        const { accessToken, trustedDevice } = (await verified).detail;
        expect(trustedDevice).to.equal(false);
        // The session is the tenant host's: its issuer is the origin the script came from.
        expect(JSON.parse(atob(accessToken.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).iss).to.equal(tenantHost);
      } finally {
        element.remove();
      }
    });

    it('an enrollment with nothing but the access token: the disclosure from the tenant host, the code, the recovery codes', async () => {
      const { accessToken } = await signUp();
      const element = document.createElement('aldero-sms-enroll') as AlderoSmsEnroll;
      element.accessToken = accessToken;
      element.lang = 'en';
      element.setAttribute('default-country', 'US');
      document.body.append(element);
      try {
        await waitFor(() => element.shadowRoot?.querySelector('#disclosure:not(:has([part~="spinner"]))'), 'the disclosure');
        expect(part(element, '#disclosure').textContent).to.contain('on behalf of Acme');
        const phone = uniquePhone();
        type(part<HTMLInputElement>(element, '#phone'), phone);
        await element.updateComplete;
        const sent = oneEvent(element, 'aldero-code-sent');
        part<HTMLButtonElement>(element, '#send').click();
        await sent;
        const enrolled = oneEvent(element, 'aldero-enrolled');
        await element.updateComplete;
        type(part<HTMLInputElement>(element, '#code'), await latestCode(phone));
        expect((await enrolled).detail.phone).to.equal(phone);
      } finally {
        element.remove();
      }
    });
  });
});
