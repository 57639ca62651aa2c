/**
 * Keyboard-only use, with real key presses (Chromium's input pipeline, not synthetic events):
 * Tab to reach the fields, typing, Enter to submit, Space to toggle, focus moved on each step.
 */
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../components/aldero-mfa-challenge.ts';
import '../../components/aldero-sms-enroll.ts';
import type { AlderoMfaChallenge } from '../../components/aldero-mfa-challenge.ts';
import type { AlderoRecoveryCodes } from '../../components/aldero-recovery-codes.ts';
import type { AlderoSmsEnroll } from '../../components/aldero-sms-enroll.ts';
import { enrolledUser, latestCode, loginChallenge, part, shadow, signUp, uniquePhone, waitFor } from './helpers.ts';

/** The element focused inside `host`'s shadow root (through nested shadow roots). */
function focusedIn(host: HTMLElement): Element | null {
  let active: Element | null = shadow(host).activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

async function tabUntil(host: HTMLElement, matches: (element: Element | null) => boolean, maxTabs = 20): Promise<void> {
  for (let i = 0; i < maxTabs && !matches(focusedIn(host)); i++) await sendKeys({ press: 'Tab' });
  if (!matches(focusedIn(host))) throw new Error('Tab never reached the expected control');
}

describe('keyboard-only use', () => {
  it('enrolls with the keyboard alone: Tab, type, Enter, type the code, save the codes', async () => {
    const { accessToken, client } = await signUp();
    const element = await fixture<AlderoSmsEnroll>(html`
      <aldero-sms-enroll tenant="acme" sandbox api-base="" brand="Acme" default-country="US" .accessToken=${accessToken}></aldero-sms-enroll>
    `);
    const phone = uniquePhone();

    await tabUntil(element, (focused) => focused?.id === 'country');
    await sendKeys({ press: 'Tab' });
    expect(focusedIn(element)?.id).to.equal('phone');
    await sendKeys({ type: phone.slice(2) });
    await element.updateComplete;
    expect(part<HTMLInputElement>(element, '#phone').value).to.equal(
      `(${phone.slice(2, 5)}) ${phone.slice(5, 8)}-${phone.slice(8)}`,
    );
    const sent = oneEvent(element, 'aldero-code-sent');
    await sendKeys({ press: 'Enter' });
    await sent;
    await waitFor(() => focusedIn(element)?.id === 'code', 'focus on the code field');

    const enrolled = oneEvent(element, 'aldero-enrolled');
    await sendKeys({ type: await latestCode(phone) });
    expect((await enrolled).detail.phone).to.equal(phone);
    await waitFor(() => focusedIn(element)?.id === 'title', 'focus on the recovery codes');

    const codes = part<AlderoRecoveryCodes>(element, 'aldero-recovery-codes');
    await tabUntil(element, (focused) => focused === shadow(codes).querySelector('[part~="acknowledge"]'));
    const saved = oneEvent(element, 'aldero-recovery-codes-saved');
    await sendKeys({ press: 'Enter' });
    await saved;
    await waitFor(() => focusedIn(element)?.id === 'done', 'focus on the confirmation');
    expect((await client.auth.me()).mfa.sms).to.equal(true);
  });

  it('answers the challenge with the keyboard alone: the field has focus, Space trusts the device, typing submits', async () => {
    const { email, phone } = await enrolledUser();
    const { mfaToken } = await loginChallenge(email);
    const element = await fixture<AlderoMfaChallenge>(html`
      <aldero-mfa-challenge tenant="acme" sandbox api-base="" mfa-token=${mfaToken}></aldero-mfa-challenge>
    `);
    await waitFor(() => focusedIn(element)?.id === 'code', 'focus on the code field');

    // "Trust this device" comes before the code field (issue 18: the code submits on its sixth digit).
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ up: 'Shift' });
    expect(focusedIn(element)?.getAttribute('type')).to.equal('checkbox');
    await sendKeys({ press: 'Space' });
    expect(part<HTMLInputElement>(element, '[part~="trust-device"] input').checked).to.equal(true);
    await sendKeys({ press: 'Tab' });
    expect(focusedIn(element)?.id).to.equal('code');

    const verified = oneEvent(element, 'aldero-verified');
    await sendKeys({ type: await latestCode(phone, 2) });
    expect((await verified).detail.trustedDevice).to.equal(true);
  });

  it('reaches "Use a recovery code" by Tab and submits a recovery code with Enter', async () => {
    const { email, recoveryCodes } = await enrolledUser();
    const { mfaToken } = await loginChallenge(email);
    const element = await fixture<AlderoMfaChallenge>(html`
      <aldero-mfa-challenge tenant="acme" sandbox api-base="" mfa-token=${mfaToken}></aldero-mfa-challenge>
    `);
    await waitFor(() => focusedIn(element)?.id === 'code', 'focus on the code field');
    await tabUntil(element, (focused) => focused?.getAttribute('data-method') === 'recovery_code');
    await sendKeys({ press: 'Enter' });
    await waitFor(() => focusedIn(element)?.id === 'code', 'focus back on the (recovery) code field');
    expect(part(element, 'label[for="code"]').textContent).to.equal('Recovery code');
    await sendKeys({ type: recoveryCodes[0] });
    const verified = oneEvent(element, 'aldero-verified');
    await sendKeys({ press: 'Enter' });
    expect((await verified).detail.accessToken).to.be.a('string');
  });
});
