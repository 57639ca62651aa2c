import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../components/aldero-sms-enroll.ts';
import { DISCLOSURE_VERSION, type AlderoSmsEnroll } from '../../components/aldero-sms-enroll.ts';
import type { AlderoRecoveryCodes } from '../../components/aldero-recovery-codes.ts';
import type { AlderoClient } from '../../components/client/index.ts';
import { adminKey, latestCode, newClient, part, record, shadow, signUp, type, uniqueEmail, uniquePhone, waitFor } from './helpers.ts';

const DISCLOSURE =
  'Verification codes are sent by Aldero, our authentication provider, on behalf of Acme. Message frequency varies. Message and data rates may apply. Reply STOP to opt out, HELP for help.';

interface Mount {
  accessToken?: string;
  client?: AlderoClient;
  lang?: string;
  defaultCountry?: string;
}

async function mountEnroll(options: Mount = {}): Promise<AlderoSmsEnroll> {
  const element = await fixture<AlderoSmsEnroll>(html`
    <aldero-sms-enroll
      tenant="acme"
      sandbox
      api-base=""
      brand="Acme"
      resend-delay="0"
      lang=${options.lang ?? 'en'}
      default-country=${options.defaultCountry ?? 'US'}
      .accessToken=${options.accessToken}
      .client=${options.client}
    ></aldero-sms-enroll>
  `);
  // The disclosure comes from the server (GET /v1/tenant, issue 18) before the phone step can send.
  await waitFor(() => shadow(element).querySelector('#disclosure [part~="spinner"]') === null, 'the disclosure from the server');
  await element.updateComplete;
  return element;
}

const phoneInput = (element: HTMLElement) => part<HTMLInputElement>(element, '[part~="phone-input"]');
const countrySelect = (element: HTMLElement) => part<HTMLSelectElement>(element, '[part~="country-select"]');
const errorText = (element: HTMLElement) => part(element, '[part~="error"]').textContent?.trim() ?? '';

/** Types a number in international form (the select follows) and sends the code. */
async function sendCode(element: AlderoSmsEnroll, phone: string) {
  type(phoneInput(element), phone);
  await element.updateComplete;
  part<HTMLButtonElement>(element, '#send').click();
  await waitFor(() => shadow(element).querySelector('#code') ?? (errorText(element) || undefined), 'the code step');
  await element.updateComplete;
}

/** Watches what the page sends to the API (the element's real requests; nothing is answered here). */
function watchRequests(): { bodies: Record<string, unknown>[]; stop: () => void } {
  const bodies: Record<string, unknown>[] = [];
  const original = window.fetch;
  window.fetch = (input, init) => {
    if (typeof init?.body === 'string') bodies.push({ url: String(input), ...JSON.parse(init.body) });
    return original(input, init);
  };
  return { bodies, stop: () => (window.fetch = original) };
}

describe('<aldero-sms-enroll>', () => {
  it('shows the opt-in disclosure verbatim, with the brand, on the screen of the phone field; accessible', async () => {
    const element = await mountEnroll({ accessToken: 'unused' });
    const disclosure = part(element, '[part~="disclosure"]');
    expect(disclosure.textContent).to.equal(DISCLOSURE);
    expect(disclosure.checkVisibility()).to.equal(true);
    expect(disclosure.getBoundingClientRect().height).to.be.greaterThan(0);
    expect(disclosure.closest('details')).to.equal(null);
    expect(phoneInput(element).getAttribute('aria-describedby')).to.contain('disclosure');
    expect(phoneInput(element).type).to.equal('tel');
    expect(phoneInput(element).autocomplete).to.equal('tel-national');
    expect(countrySelect(element).value).to.equal('US');
    expect(DISCLOSURE_VERSION).to.match(/^\d{4}-\d{2}-\d{2}$/);
    await expect(element).to.be.accessible();
  });

  it('formats the national number as it is typed, for the chosen country', async () => {
    const element = await mountEnroll();
    type(phoneInput(element), '5550109911');
    await element.updateComplete;
    expect(phoneInput(element).value).to.equal('(555) 010-9911');

    const select = countrySelect(element);
    select.value = 'GB';
    select.dispatchEvent(new Event('change'));
    type(phoneInput(element), '02071838750');
    await element.updateComplete;
    expect(phoneInput(element).value).to.equal('020 7183 8750');

    type(phoneInput(element), '+33 612345678');
    await element.updateComplete;
    expect(countrySelect(element).value).to.equal('FR');
    expect(phoneInput(element).value).to.equal('+33 6 12 34 56 78');
  });

  it('sends the number in E.164, national trunk prefix dropped', async () => {
    const requests = watchRequests();
    try {
      const element = await mountEnroll({ accessToken: 'not-a-session', defaultCountry: 'GB' });
      await sendCode(element, '020 7183 8750');
      expect(requests.bodies[0]).to.deep.include({ phone: '+442071838750' });
    } finally {
      requests.stop();
    }
  });

  it('starts on the default country, named in the element language', async () => {
    const element = await mountEnroll({ defaultCountry: 'de', lang: 'de' });
    const select = countrySelect(element);
    expect(select.value).to.equal('DE');
    expect(select.selectedOptions[0].textContent).to.equal('Deutschland (+49)');
  });

  it('refuses an impossible number without calling the server', async () => {
    const requests = watchRequests();
    try {
      const element = await mountEnroll({ accessToken: 'unused' });
      type(phoneInput(element), '12');
      await element.updateComplete;
      part<HTMLButtonElement>(element, '#send').click();
      await element.updateComplete;
      expect(errorText(element)).to.equal('Enter a valid mobile number.');
      expect(phoneInput(element).getAttribute('aria-invalid')).to.equal('true');
      expect(shadow(element).activeElement).to.equal(phoneInput(element));
      expect(requests.bodies).to.have.length(0);
    } finally {
      requests.stop();
    }
  });

  it('enrolls: phone → code → recovery codes → saved, with every event, focus on each step, codes wiped', async () => {
    const { accessToken, client } = await signUp();
    const element = await mountEnroll({ accessToken });
    const phone = uniquePhone();
    const sent = record(element, 'aldero-code-sent');
    const requests = watchRequests();
    try {
      await sendCode(element, phone);
    } finally {
      requests.stop();
    }
    expect(requests.bodies[0]).to.deep.include({ phone, disclosureVersion: DISCLOSURE_VERSION });
    expect(sent).to.have.length(1);
    expect(sent[0].detail.sendsRemaining).to.equal(2);
    expect(sent[0].detail.retryAfterSeconds).to.equal(0);
    expect(sent[0].detail.maskedPhone).to.contain(phone.slice(-2));
    expect(part(element, '#code-hint').textContent).to.contain(sent[0].detail.maskedPhone);
    expect(shadow(element).activeElement?.id).to.equal('code');
    expect(part(element, '[part~="code-input"]').getAttribute('autocomplete')).to.equal('one-time-code');
    await expect(element).to.be.accessible();

    const enrolled = oneEvent(element, 'aldero-enrolled');
    type(part<HTMLInputElement>(element, '#code'), await latestCode(phone));
    expect((await enrolled).detail).to.deep.equal({ phone });

    await element.updateComplete;
    const codes = part<AlderoRecoveryCodes>(element, 'aldero-recovery-codes');
    await codes.updateComplete;
    expect(codes.codes).to.have.length(10);
    expect(shadow(codes).querySelectorAll('[part~="code"]')).to.have.length(10);
    expect(shadow(element).activeElement).to.equal(codes);
    expect(shadow(codes).activeElement?.id).to.equal('title');
    await expect(element).to.be.accessible();

    const firstCode = codes.codes[0];
    const saved = oneEvent(element, 'aldero-recovery-codes-saved');
    part<HTMLButtonElement>(codes, '[part~="acknowledge"]').click();
    await saved;
    await element.updateComplete;
    expect(codes.codes).to.deep.equal([]);
    expect(shadow(element).querySelector('aldero-recovery-codes')).to.equal(null);
    expect(shadow(element).innerHTML).not.to.contain(firstCode);
    expect(part(element, '#done').textContent).to.equal('Text message verification is on.');
    expect(shadow(element).activeElement?.id).to.equal('done');

    const me = await client.auth.me();
    expect(me.phone).to.equal(phone);
    expect(me.phoneVerified).to.equal(true);
    expect(me.mfa.sms).to.equal(true);
  });

  it('uses a client that holds the session, resends with sends left up to the limit, and says when the code is wrong', async () => {
    const { client } = await signUp();
    const element = await mountEnroll({ client });
    const phone = uniquePhone();
    await sendCode(element, phone);
    const code = await latestCode(phone);

    const resent = oneEvent(element, 'aldero-code-sent');
    part<HTMLButtonElement>(element, '[part~="resend-button"]').click();
    expect((await resent).detail.sendsRemaining).to.equal(1);
    await element.updateComplete;
    expect(part(element, '[part~="countdown"]').textContent).to.contain('1 resend left');
    expect(shadow(element).textContent).to.contain('We sent the code again.');
    expect(await latestCode(phone, 2)).to.equal(code);

    const last = oneEvent(element, 'aldero-code-sent');
    part<HTMLButtonElement>(element, '[part~="resend-button"]').click();
    expect((await last).detail.sendsRemaining).to.equal(0);
    await element.updateComplete;
    expect(part<HTMLButtonElement>(element, '[part~="resend-button"]').disabled).to.equal(true);
    expect(shadow(element).textContent).to.contain('No more codes can be sent for this attempt.');

    const failed = oneEvent(element, 'aldero-error');
    type(part<HTMLInputElement>(element, '#code'), String((Number(code) + 1) % 1_000_000).padStart(6, '0'));
    const { detail } = await failed;
    expect(detail.code).to.equal('MFA_INVALID_CODE');
    await element.updateComplete;
    expect(errorText(element)).to.equal('That code is incorrect. 4 attempts left.');
    expect(part<HTMLInputElement>(element, '#code').value).to.equal('');

    const enrolled = oneEvent(element, 'aldero-enrolled');
    type(part<HTMLInputElement>(element, '#code'), code);
    await enrolled;
  });

  it('goes back to the phone step to use a different number', async () => {
    const { accessToken } = await signUp();
    const element = await mountEnroll({ accessToken });
    await sendCode(element, uniquePhone());
    part<HTMLButtonElement>(element, '#change-number').click();
    await element.updateComplete;
    expect(shadow(element).activeElement).to.equal(phoneInput(element));
    expect(part(element, '[part~="disclosure"]').textContent).to.equal(DISCLOSURE);
  });

  it('shows the server error by code: already enabled', async () => {
    const { accessToken } = await signUp();
    const first = await mountEnroll({ accessToken });
    const phone = uniquePhone();
    await sendCode(first, phone);
    const enrolled = oneEvent(first, 'aldero-enrolled');
    type(part<HTMLInputElement>(first, '#code'), await latestCode(phone));
    await enrolled;

    const again = await mountEnroll({ accessToken });
    const failed = oneEvent(again, 'aldero-error');
    await sendCode(again, uniquePhone());
    expect((await failed).detail.code).to.equal('MFA_ALREADY_ENABLED');
    expect(errorText(again)).to.equal('Text message verification is already on for your account.');
  });

  it('shows the server error by code: OAuth-only users cannot enroll', async () => {
    const key = await adminKey();
    const admin = (path: string, body: unknown) =>
      fetch(path, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'x-aldero-tenant': 'acme-sandbox', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((response) => response.json());
    const user = (await admin('/v1/admin/users', { email: uniqueEmail(), oauthProvider: 'google' })) as { id: string };
    const { accessToken } = (await admin('/v1/admin/sessions', { userId: user.id })) as { accessToken: string };
    const element = await mountEnroll({ accessToken });
    const failed = oneEvent(element, 'aldero-error');
    await sendCode(element, uniquePhone());
    expect((await failed).detail.code).to.equal('MFA_PASSWORD_REQUIRED');
    expect(errorText(element)).to.equal('Accounts that sign in with an identity provider cannot add text message codes.');
    await expect(element).to.be.accessible();
  });

  it('shows the server error by code: no session', async () => {
    // A session the server no longer knows (no token at all is a configuration fault: second-pass.test.ts).
    const element = await mountEnroll({ accessToken: 'expired.session.token' });
    const failed = oneEvent(element, 'aldero-error');
    await sendCode(element, uniquePhone());
    expect((await failed).detail.code).to.equal('UNAUTHORIZED');
    expect(errorText(element)).to.equal('Your session has ended. Sign in again.');
  });

  it('explains a number that replied STOP', async () => {
    const { accessToken } = await signUp();
    const element = await mountEnroll({ accessToken });
    const failed = oneEvent(element, 'aldero-error');
    await sendCode(element, '+15005550009');
    expect((await failed).detail.code).to.equal('MFA_DELIVERY_FAILED');
    expect(errorText(element)).to.equal(
      'This number replied STOP. Reply START to it, then resend the code, or use a different number.',
    );
  });

  it('speaks Spanish with lang="es", the disclosure included, with the brand', async () => {
    const element = await mountEnroll({ lang: 'es' });
    expect(part(element, 'h2').textContent).to.equal('Configurar la verificación por SMS');
    expect(part(element, 'label[for="phone"]').textContent).to.equal('Número de móvil');
    expect(part(element, '[part~="disclosure"]').textContent).to.equal(
      'Aldero, nuestro proveedor de autenticación, envía los códigos de verificación en nombre de Acme. La frecuencia de los mensajes varía. Pueden aplicarse tarifas de mensajes y datos. Responde STOP para darte de baja y HELP para obtener ayuda.',
    );
    element.strings = { sendCode: 'Enviar' };
    await element.updateComplete;
    expect(part(element, '#send').textContent?.trim()).to.equal('Enviar');
    await expect(element).to.be.accessible();
  });

  it('records as consent the disclosure exactly as shown, in the language shown', async () => {
    const user = await signUp();
    const element = await mountEnroll({ lang: 'es', accessToken: user.accessToken });
    const shown = part(element, '[part~="disclosure"]').textContent;
    const phone = uniquePhone();
    await sendCode(element, phone);
    const response = await fetch(`/v1/admin/consents?phone=${encodeURIComponent(phone)}`, {
      headers: { authorization: `Bearer ${await adminKey()}`, 'x-aldero-tenant': 'acme-sandbox' },
    });
    const { consents } = (await response.json()) as { consents: { disclosureText: string; disclosureVersion: string; disclosureLanguage: string; source: string }[] };
    expect(consents.length).to.equal(1);
    expect(consents[0]!.disclosureText).to.equal(shown);
    expect([consents[0]!.disclosureVersion, consents[0]!.disclosureLanguage, consents[0]!.source]).to.deep.equal([DISCLOSURE_VERSION, 'es', 'component']);
  });

  it('is themed through ::part and --aldero-* custom properties', async () => {
    const wrapper = await fixture<HTMLDivElement>(html`
      <div>
        <style>
          .brand {
            --aldero-color-surface: rgb(254, 243, 199);
            --aldero-color-border: rgb(120, 53, 15);
            --aldero-spacing: 24px;
          }
          .brand::part(disclosure) {
            font-style: italic;
          }
          .brand::part(country-select) {
            font-weight: 700;
          }
        </style>
        <aldero-sms-enroll class="brand" tenant="acme" brand="Acme"></aldero-sms-enroll>
      </div>
    `);
    const element = wrapper.querySelector('aldero-sms-enroll')!;
    await element.updateComplete;
    const disclosure = getComputedStyle(part(element, '[part~="disclosure"]'));
    expect(disclosure.backgroundColor).to.equal('rgb(254, 243, 199)');
    expect(disclosure.fontStyle).to.equal('italic');
    expect(getComputedStyle(countrySelect(element)).fontWeight).to.equal('700');
    expect(getComputedStyle(phoneInput(element)).borderTopColor).to.equal('rgb(120, 53, 15)');
    expect(getComputedStyle(part(element, '[part~="base"]')).rowGap).to.equal('24px');
    await expect(element).to.be.accessible();
  });

  it('works with the SDK client of the page', async () => {
    const { email } = await signUp();
    const client = newClient();
    await client.auth.login({ email, password: 'correct horse battery staple' });
    const element = await mountEnroll({ client });
    const sent = oneEvent(element, 'aldero-code-sent');
    await sendCode(element, uniquePhone());
    expect((await sent).detail.sendsRemaining).to.equal(2);
  });
});
