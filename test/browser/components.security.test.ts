/**
 * What must never leak from the elements: recovery codes (shown once, then gone from the DOM and
 * memory; never in attributes, storage or the console) and the user's access token (a property,
 * never in the DOM).
 */
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../components/aldero-recovery-codes.ts';
import '../../components/aldero-sms-enroll.ts';
import type { AlderoRecoveryCodes } from '../../components/aldero-recovery-codes.ts';
import type { AlderoSmsEnroll } from '../../components/aldero-sms-enroll.ts';
import { latestCode, part, shadow, signUp, type, uniquePhone, waitFor } from './helpers.ts';

const CODES = ['6dca-d1dd', 'd417-fa55', '0a1b-2c3d', '4e5f-6a7b', '8c9d-0e1f', 'aa11-bb22', 'cc33-dd44', 'ee55-ff66', '1234-abcd', '9f8e-7d6c'];

/** Runs `body` with every console method recording what it is given. */
async function capturingConsole(body: () => Promise<void>): Promise<unknown[]> {
  const logged: unknown[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const originals = methods.map((method) => console[method]);
  methods.forEach((method) => {
    console[method] = (...args: unknown[]) => logged.push(...args);
  });
  try {
    await body();
  } finally {
    methods.forEach((method, i) => {
      console[method] = originals[i];
    });
  }
  return logged;
}

const storage = () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie;

describe('secrets in the components', () => {
  it('<aldero-recovery-codes> never puts the codes in an attribute, storage or the console', async () => {
    const logged = await capturingConsole(async () => {
      const element = await fixture<AlderoRecoveryCodes>(html`<aldero-recovery-codes .codes=${[...CODES]}></aldero-recovery-codes>`);
      for (const attribute of element.attributes) expect(attribute.value).not.to.contain(CODES[0]);
      part<HTMLButtonElement>(element, '[part~="acknowledge"]').click();
      await element.updateComplete;
    });
    for (const code of CODES) {
      expect(storage()).not.to.contain(code);
      expect(JSON.stringify(logged)).not.to.contain(code);
    }
  });

  it('<aldero-recovery-codes> acknowledgment fires the event, then wipes the codes from the DOM and the property', async () => {
    const element = await fixture<AlderoRecoveryCodes>(html`<aldero-recovery-codes .codes=${[...CODES]}></aldero-recovery-codes>`);
    const fired = oneEvent(document, 'aldero-recovery-codes-saved');
    part<HTMLButtonElement>(element, '[part~="acknowledge"]').click();
    const event = await fired;
    expect(event.detail).to.deep.equal({});
    expect(event.bubbles && event.composed).to.equal(true);
    await element.updateComplete;
    expect(element.codes).to.deep.equal([]);
    const rendered = shadow(element).innerHTML;
    for (const code of CODES) expect(rendered).not.to.contain(code);
    expect(shadow(element).querySelector('[part~="code"]')).to.equal(null);
    expect(part(element, '#saved').textContent).to.contain('Recovery codes saved');
    expect(shadow(element).activeElement?.id).to.equal('saved');
    await expect(element).to.be.accessible();
  });

  it('<aldero-sms-enroll> keeps the access token out of the DOM', async () => {
    const { accessToken } = await signUp();
    const element = await fixture<AlderoSmsEnroll>(
      html`<aldero-sms-enroll tenant="acme" sandbox api-base="" .accessToken=${accessToken}></aldero-sms-enroll>`,
    );
    expect(element.outerHTML).not.to.contain(accessToken);
    expect(shadow(element).innerHTML).not.to.contain(accessToken);
    expect([...element.attributes].map((attribute) => attribute.value)).not.to.include(accessToken);
  });

  it('<aldero-sms-enroll> forgets the real recovery codes once saved, and never logs or stores them', async () => {
    const { accessToken } = await signUp();
    let shown: string[] = [];
    const logged = await capturingConsole(async () => {
      const element = await fixture<AlderoSmsEnroll>(html`
        <aldero-sms-enroll tenant="acme" sandbox api-base="" brand="Acme" resend-delay="0" .accessToken=${accessToken}></aldero-sms-enroll>
      `);
      const phone = uniquePhone();
      type(part<HTMLInputElement>(element, '#phone'), phone);
      part<HTMLButtonElement>(element, '#send').click();
      await waitFor(() => shadow(element).querySelector('#code'), 'the code step');
      type(part<HTMLInputElement>(element, '#code'), await latestCode(phone));
      const codes = await waitFor(() => shadow(element).querySelector<AlderoRecoveryCodes>('aldero-recovery-codes'), 'the codes');
      await codes.updateComplete;
      shown = [...codes.codes];
      expect(shown).to.have.length(10);
      part<HTMLButtonElement>(codes, '[part~="acknowledge"]').click();
      await waitFor(() => shadow(element).querySelector('#done'), 'the end of enrollment');
      expect(codes.codes).to.deep.equal([]);
      const everything = element.outerHTML + shadow(element).innerHTML;
      for (const code of shown) expect(everything).not.to.contain(code);
    });
    for (const code of shown) {
      expect(storage()).not.to.contain(code);
      expect(JSON.stringify(logged)).not.to.contain(code);
    }
  });
});
