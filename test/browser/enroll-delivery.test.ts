/**
 * Issue 20, the element's side: an enrollment whose SMS fails after the setup answered shows the
 * reason next to the code field, tells the page (`aldero-error` with the code and the reason) and
 * keeps the way out ("Use a different number", resend). The failures are real: the live
 * environment sends through the Telnyx emulator (api-server.ts), which refuses the number when the
 * outbox hands it over (40310, or 40300 after a STOP the server never heard of) or posts a signed
 * `delivery_failed` receipt; the element learns it only from `POST /v1/auth/mfa/sms/status`.
 */
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../components/aldero-sms-enroll.ts';
import type { AlderoSmsEnroll } from '../../components/aldero-sms-enroll.ts';
import { codeAtTelnyx, liveClient, liveHandset, part, PASSWORD, record, shadow, signUp, telnyx, telnyxMessages, type, uniqueEmail, uniquePhone, waitFor, withLiveOrigin } from './helpers.ts';

/** The element checks every 2 s, 5 times per send: a failure shows within about 10 s. */
const FOLLOWED_MS = 12_000;
const CHECK_INTERVAL_MS = 2000;

const errorText = (element: HTMLElement) => part(element, '[part~="error"]').textContent?.trim() ?? '';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function mountEnroll(accessToken: string, options: { sandbox?: boolean } = {}): Promise<AlderoSmsEnroll> {
  const element = await fixture<AlderoSmsEnroll>(html`
    <aldero-sms-enroll tenant="acme" ?sandbox=${options.sandbox ?? false} api-base="" resend-delay="0" lang="en" default-country="US"
      .accessToken=${accessToken}></aldero-sms-enroll>
  `);
  await waitFor(() => shadow(element).querySelector('#disclosure [part~="spinner"]') === null, 'the disclosure from the server');
  await element.updateComplete;
  return element;
}

/** A new user of the live environment, signed in (the page's origin must be allowed there: `withLiveOrigin`). */
async function liveUser(): Promise<string> {
  return (await liveClient().auth.signup({ email: uniqueEmail(), password: PASSWORD })).accessToken;
}

/** Types the number (international form) and sends the code; resolves on the code step. */
async function sendCode(element: AlderoSmsEnroll, phone: string): Promise<void> {
  type(part<HTMLInputElement>(element, '#phone'), phone);
  await element.updateComplete;
  part<HTMLButtonElement>(element, '#send').click();
  await waitFor(() => shadow(element).querySelector('#code') ?? (errorText(element) || undefined), 'the code step');
  await element.updateComplete;
  expect(shadow(element).querySelector('#code'), `the setup was accepted for delivery (${errorText(element)})`).to.exist;
}

/** Counts the element's reads of the enrollment status (its real requests; nothing is answered here). */
function countStatusReads(): { count: () => number; stop: () => void } {
  let reads = 0;
  const original = window.fetch;
  window.fetch = (input, init) => {
    if (String(input).includes('/trpc/auth.mfa.sms.status')) reads += 1;
    return original(input, init);
  };
  return { count: () => reads, stop: () => (window.fetch = original) };
}

/** The failure is shown in the code field's own alert region (the field is described by it), not as a wrong code. */
function expectBesideTheCodeField(element: AlderoSmsEnroll, message: string): void {
  expect(errorText(element)).to.equal(message);
  const code = part<HTMLInputElement>(element, '#code');
  expect(code.getAttribute('aria-describedby')).to.contain('error');
  expect(code.closest('.field')?.querySelector('#error')).to.equal(part(element, '#error'));
  expect(code.getAttribute('aria-invalid')).to.equal('false');
  expect(part(element, '#change-number').textContent?.trim()).to.equal('Use a different number');
}

/** A live user's enrollment SMS, sent from the element and then given `status` by its Telnyx receipt. */
async function enrollThenReceipt(status: 'delivered' | 'delivery_failed') {
  const element = await mountEnroll(await liveUser());
  const errors = record(element, 'aldero-error');
  const phone = liveHandset();
  await sendCode(element, phone);
  await codeAtTelnyx(phone);
  await telnyx('deliver', { to: phone, status });
  return { element, errors, phone };
}

describe('<aldero-sms-enroll>: an SMS that fails after the setup answered (live, Telnyx emulator)', () => {
  it('Telnyx refuses the number (40310): "cannot receive", aldero-error with the reason; a different number then enrolls', async () => {
    await withLiveOrigin(async () => {
      const element = await mountEnroll(await liveUser());
      const errors = record(element, 'aldero-error');
      const sent = record(element, 'aldero-code-sent');
      const phone = liveHandset();
      await telnyx('invalid', { to: phone });
      await sendCode(element, phone);
      expect(sent, 'the setup answered: queued for delivery').to.have.length(1);
      expect(errorText(element)).to.equal('');

      await waitFor(() => errors.length > 0, 'the failure, read from the enrollment status', FOLLOWED_MS);
      expect(errors.map((event) => event.detail)).to.deep.equal([
        { code: 'MFA_DELIVERY_FAILED', message: 'This number cannot receive text messages. Use a different number.', reason: 'invalid_number' },
      ]);
      expectBesideTheCodeField(element, 'This number cannot receive text messages. Use a different number.');
      await expect(element).to.be.accessible();

      // The way out: another number, whose code arrives and enrolls. The first number's checks are over.
      part<HTMLButtonElement>(element, '#change-number').click();
      await waitFor(() => shadow(element).activeElement?.id === 'phone', 'focus on the phone field');
      const other = liveHandset();
      await sendCode(element, other);
      expect(errorText(element)).to.equal('');
      const enrolled = oneEvent(element, 'aldero-enrolled');
      type(part<HTMLInputElement>(element, '#code'), await codeAtTelnyx(other));
      expect((await enrolled).detail.phone).to.equal(other);
      expect(errors, 'nothing more went wrong').to.have.length(1);
    });
  });

  it('Telnyx refuses after a STOP the server never heard of (40300): reply START or use a different number; the resend is then refused at once, using no send', async () => {
    await withLiveOrigin(async () => {
      const element = await mountEnroll(await liveUser());
      const errors = record(element, 'aldero-error');
      const phone = liveHandset();
      await telnyx('block', { to: phone });
      await sendCode(element, phone);
      const countdown = () => part(element, '#countdown').textContent?.trim();
      expect(countdown()).to.equal('2 resends left');

      await waitFor(() => errors.length > 0, 'the failure, read from the enrollment status', FOLLOWED_MS);
      const stop = 'This number replied STOP. Reply START to it, then resend the code, or use a different number.';
      expect(errors[0].detail).to.deep.equal({ code: 'MFA_DELIVERY_FAILED', message: stop, reason: 'opted_out' });
      expectBesideTheCodeField(element, stop);
      await expect(element).to.be.accessible();

      // The server learnt the STOP from Telnyx's answer: a resend is refused in its own answer now.
      const refused = oneEvent(element, 'aldero-error');
      part<HTMLButtonElement>(element, '#resend').click();
      expect((await refused).detail).to.deep.equal({ code: 'MFA_DELIVERY_FAILED', message: stop, reason: 'opted_out' });
      await element.updateComplete;
      expect(errorText(element)).to.equal(stop);
      expect(countdown(), 'the refused resend used none of the sends').to.equal('2 resends left');
    });
  });

  it('a receipt says delivery_failed: "could not deliver", with resend and another number; the resend goes out', async () => {
    await withLiveOrigin(async () => {
      const { element, errors, phone } = await enrollThenReceipt('delivery_failed');

      await waitFor(() => errors.length > 0, 'the receipt, read from the enrollment status', FOLLOWED_MS);
      const failed = 'We could not deliver the text message. Resend the code, or use a different number.';
      expect(errors[0].detail).to.deep.equal({ code: 'MFA_DELIVERY_FAILED', message: failed, reason: 'delivery_failed' });
      expectBesideTheCodeField(element, failed);
      expect(part<HTMLButtonElement>(element, '#resend').disabled).to.equal(false);

      const resent = oneEvent(element, 'aldero-code-sent');
      part<HTMLButtonElement>(element, '#resend').click();
      await resent;
      await element.updateComplete;
      expect(errorText(element)).to.equal('');
      await waitFor(async () => (await telnyxMessages(phone)).length === 2, 'the second SMS at Telnyx');
    });
  });
});

describe('<aldero-sms-enroll>: how long it follows an SMS', () => {
  let reads: ReturnType<typeof countStatusReads>;
  beforeEach(() => {
    reads = countStatusReads();
  });
  afterEach(() => reads.stop());

  it('stops once the SMS is delivered (live receipt)', async () => {
    await withLiveOrigin(async () => {
      const { errors } = await enrollThenReceipt('delivered');
      // The first check after the receipt reads `delivered`, and it is the last one (without the
      // stop, 5 checks 2 s apart: 2 by the first count, 4 by the second).
      await sleep(2 * CHECK_INTERVAL_MS + 500);
      const afterDelivered = reads.count();
      expect(afterDelivered).to.be.within(1, 2);
      await sleep(2 * CHECK_INTERVAL_MS + 500);
      expect(reads.count()).to.equal(afterDelivered);
      expect(errors).to.have.length(0);
    });
  });

  it('stops when the element leaves the page', async () => {
    await withLiveOrigin(async () => {
      const element = await mountEnroll(await liveUser());
      await sendCode(element, liveHandset());
      element.remove();
      const left = reads.count();
      await sleep(CHECK_INTERVAL_MS + 500);
      expect(reads.count()).to.equal(left);
    });
  });

  it('does not follow a code delivered at once (sandbox)', async () => {
    const { accessToken } = await signUp();
    const element = await mountEnroll(accessToken, { sandbox: true });
    await sendCode(element, uniquePhone());
    await sleep(CHECK_INTERVAL_MS + 500);
    expect(reads.count()).to.equal(0);
  });
});
