/**
 * End to end: the demo in headless Chromium against a real API process (embedded engine, sandbox
 * SMS), the way issue 7 tells the story — sign up → enable SMS with the code read from the phone
 * simulator on screen → recovery codes acknowledged → log out → log in → challenge (code from the
 * phone) → trust the device → log out and in without a challenge → disable SMS with a recovery code.
 * Each step leaves a screenshot in demo/screenshots/ for the README.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { findChromium, launchChromium } from './browser.ts';
import { startDemoServer, type DemoServer } from './demo-server.ts';

// The README's screenshots are refreshed on purpose (`npm run screenshots`); an ordinary test run
// writes its own to test/.artifacts/ and leaves the working tree clean.
const screenshots = fileURLToPath(new URL(process.env.ALDERO_UPDATE_SCREENSHOTS ? '../../demo/screenshots/' : '../.artifacts/screenshots/', import.meta.url));
const chromium = findChromium();
const skip = chromium
  ? false
  : 'no Chromium found: install it (Debian: apt-get install chromium) or set CHROME_PATH to a Chrome/Chromium binary';

let server: DemoServer;
let browser: Browser;

before(async () => {
  if (!chromium) return;
  mkdirSync(screenshots, { recursive: true });
  [server, browser] = await Promise.all([startDemoServer(), launchChromium(chromium)]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Waits until the phone simulator shows more than `count` messages; returns the newest one's code, as shown. */
async function codeFromPhone(page: Page, count: number): Promise<string> {
  await page.waitForFunction((seen) => document.querySelectorAll('demo-phone .sms').length > seen, count, { timeout: 15_000 });
  const code = await page.locator('demo-phone .sms').last().locator('.sms-code').textContent();
  assert.match(code ?? '', /^\d{6}$/, 'the SMS on the phone simulator carries a 6-digit code');
  return code!;
}

async function shoot(page: Page, name: string): Promise<void> {
  // Let transitions and the phone's entrance animation settle, so the picture is the steady state.
  await page.waitForTimeout(400);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${screenshots}${name}.png`, fullPage: true });
}

async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.locator('#submit').click();
}

test('the demo: sign up, enable SMS, sign in through the challenge, trust the device, disable SMS', { skip, timeout: 90_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    // The browser logs every 4xx answer (the login's 403 mfa_required is one): those are the flow.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
  });
  const email = 'ada@example.com';
  const password = 'correct horse battery staple';

  // 1. The root URL lands on the sign-in; sign up from there.
  await page.goto(`${server.url}/`);
  await page.waitForURL('**/login');
  await page.locator('#submit').waitFor();
  await shoot(page, '01-sign-in');
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.waitForURL('**/signup');
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await shoot(page, '02-sign-up');
  await page.locator('#submit').click();

  // 2. MFA settings at the guide's path, with <aldero-sms-enroll> and its disclosure.
  await page.waitForURL('**/dashboard/security/mfa');
  const enroll = page.locator('aldero-sms-enroll');
  await enroll.locator('[part~="disclosure"]').filter({ hasText: 'on behalf of' }).waitFor(); // the disclosure from the server, not "Loading…"
  assert.match(
    (await enroll.locator('[part~="disclosure"]').textContent()) ?? '',
    /Verification codes are sent by Aldero, our authentication provider, on behalf of Acme\./,
  );
  await shoot(page, '03-mfa-settings');
  // The same page in the dark brand on a 390 px phone: the country select is not cut, nothing scrolls sideways.
  await page.locator('[data-theme-id="globex"]').click();
  await page.setViewportSize({ width: 390, height: 844 });
  await shoot(page, '14-mfa-settings-globex-390');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), 'no sideways scroll at 390 px');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator('[data-theme-id="acme"]').click();

  // 3. Enroll the simulated phone's number, as shown on screen; the code arrives on the phone.
  const phoneNumber = (await page.locator('#phone-number').textContent())!.trim();
  assert.match(phoneNumber, /^\+1 \d{3} \d{3} \d{4}$/);
  await enroll.locator('#phone').fill(phoneNumber);
  await enroll.locator('#send').click();
  const enrollCode = await codeFromPhone(page, 0);
  assert.match((await page.locator('demo-phone .sms-body').last().textContent()) ?? '', /^Your Acme verification code is \d{6}\. Sent via Aldero\. Reply STOP to opt out, HELP for help\.$/);
  await shoot(page, '04-code-on-phone');

  // 4. The code (submitted on the sixth digit) turns SMS on; the recovery codes are shown once.
  await enroll.locator('#code').fill(enrollCode);
  const codes = enroll.locator('aldero-recovery-codes [part~="code"]');
  await codes.first().waitFor();
  const recoveryCodes = (await codes.allTextContents()).map((code) => code.trim());
  assert.equal(recoveryCodes.length, 10);
  for (const code of recoveryCodes) assert.match(code, /^[0-9a-f]{4}-[0-9a-f]{4}$/);
  await shoot(page, '05-recovery-codes');
  await enroll.locator('aldero-recovery-codes [part~="acknowledge"]').click();
  await page.locator('#sms-phone').waitFor();
  assert.equal(await page.locator('#sms .status').textContent(), 'On');
  assert.equal(await page.locator('aldero-recovery-codes').count(), 0, 'the codes left the page');
  await shoot(page, '06-sms-enabled');

  // 5. Log out, log in: the password is not enough any more; the code was sent automatically.
  await page.locator('#sign-out').click();
  await page.waitForURL('**/login');
  await logIn(page, email, password);
  await page.waitForURL('**/login/verify');
  const challenge = page.locator('aldero-mfa-challenge');
  await challenge.locator('#code').waitFor();
  const loginCode = await codeFromPhone(page, 1);
  assert.notEqual(await page.locator('demo-phone .sms').last().getAttribute('data-message-id'), null);
  await shoot(page, '07-challenge');
  // The same screen in the other brand: only ::part() and --aldero-* differ.
  await page.locator('[data-theme-id="globex"]').click();
  await shoot(page, '08-challenge-globex');
  await page.locator('[data-theme-id="acme"]').click();
  await page.setViewportSize({ width: 390, height: 844 });
  // The SMS notification (fixed to the bottom of a phone's screen) would float mid-page in a full-page picture.
  if (await page.locator('.sms-toast').isVisible()) await page.locator('.sms-toast').click();
  assert.equal(await page.locator('.beside-narrow').isVisible(), true, 'the page says the phone is below');
  await shoot(page, '15-challenge-390');
  await page.setViewportSize({ width: 1280, height: 900 });

  // 6. Trust this device, enter the code from the phone: signed in with password + SMS.
  await challenge.locator('[part~="trust-device"] input').check();
  await challenge.locator('#code').fill(loginCode);
  await page.waitForURL('**/dashboard');
  await page.locator('#session-amr').waitFor();
  assert.deepEqual(await page.locator('#session-amr .chip').allTextContents(), ['Password', 'SMS code']);
  await shoot(page, '09-signed-in-with-sms');
  await page.getByRole('link', { name: 'Security', exact: true }).click();
  await page.waitForURL('**/dashboard/security/mfa');
  await page.locator('.device .badge-current').waitFor();
  await shoot(page, '10-trusted-device');

  // 7. Log out and in again: the trusted device skips the challenge.
  await page.locator('#sign-out').click();
  await page.waitForURL('**/login');
  await logIn(page, email, password);
  await page.waitForURL('**/dashboard');
  await page.locator('#session-amr').waitFor();
  assert.deepEqual(await page.locator('#session-amr .chip').allTextContents(), ['Password', 'Trusted device']);
  assert.equal(await page.locator('demo-phone .sms').count(), 2, 'no SMS was sent for this sign-in');
  await shoot(page, '11-signed-in-without-challenge');

  // 8. Turn SMS off with one of the recovery codes.
  await page.getByRole('link', { name: 'Security', exact: true }).click();
  await page.waitForURL('**/dashboard/security/mfa');
  await page.locator('#sms-disable-code').fill(recoveryCodes[0]!);
  await page.locator('#sms-disable').click();
  await page.locator('#sms .status-off').waitFor();
  // The words of the element ("text message verification"), not a second name for the same thing.
  assert.match((await page.locator('.alert-success').textContent()) ?? '', /Text message verification is off/);
  await page.locator('#no-devices').waitFor();
  await shoot(page, '12-sms-disabled');

  assert.deepEqual(pageErrors, [], 'no errors in the page');
  await context.close();
});

test('the demo IdP: an OAuth-only user is refused SMS enrollment, with the reason on screen', { skip, timeout: 60_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.locator('#idp').click();
  await page.locator('#idp-email').fill('grace@idp.example.com');
  await page.locator('#idp-continue').click();
  await page.waitForURL('**/dashboard/security/mfa');
  const enroll = page.locator('aldero-sms-enroll');
  await enroll.locator('#phone').fill((await page.locator('#phone-number').textContent())!.trim());
  await enroll.locator('#send').click();
  const error = enroll.locator('[part~="error"]');
  await page.waitForFunction(() => Boolean(document.querySelector('aldero-sms-enroll')?.shadowRoot?.querySelector('[part~="error"]')?.textContent?.trim()));
  assert.match((await error.textContent()) ?? '', /identity provider/);
  assert.equal(await page.locator('demo-phone .sms').count(), 0, 'no SMS was sent');
  await shoot(page, '13-idp-user-refused');
  await context.close();
});

test('the elements with their own default look, in a dark OS: the built-in dark palette, no tenant styling', { skip, timeout: 60_000 }, async () => {
  const { AlderoClient, AlderoError } = await import('../../components/client/index.ts');
  const api = new AlderoClient({ tenantSlug: 'acme', sandbox: true, apiBase: server.url });
  const password = 'correct horse battery staple';
  const email = `dark-${Date.now()}@example.com`;
  const { accessToken } = await api.auth.signup({ email, password });
  const phone = '+15550107788';
  await api.withAccessToken(accessToken).auth.mfa.sms.setup({ phone });
  const inbox = await fetch(`${server.url}/v1/sandbox/messages?phone=${encodeURIComponent(phone)}`, {
    headers: { authorization: `Bearer ${server.adminKey}`, 'x-aldero-tenant': 'acme-sandbox' },
  }).then((response) => response.json() as Promise<{ messages: { body: string }[] }>);
  await api.withAccessToken(accessToken).auth.mfa.sms.confirm({ code: /(\d{6})/.exec(inbox.messages[0]!.body)![1]! });
  const mfaToken = await api.auth.login({ email, password }).then(
    () => assert.fail('the login asks for the second factor'),
    (error: unknown) => (error instanceof AlderoError && error.code === 'mfa_required' ? String(error.context.mfa_token) : Promise.reject(error)),
  );
  const other = await api.auth.signup({ email: `dark-enroll-${Date.now()}@example.com`, password });

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC', colorScheme: 'dark' });
  const page = await context.newPage();
  // A plain page on the API's origin that loads the built elements (npm run build) and styles nothing of theirs.
  await page.route(`${server.url}/plain-page`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>The elements, default look</title>
<meta name="color-scheme" content="light dark">
<style>body { margin: 0; padding: 2rem; font: 16px system-ui; background: Canvas; color: CanvasText; display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 1.5rem; align-items: start; }</style>
<script type="module" src="/v1/elements/index.js"></script></head>
<body>
<aldero-mfa-challenge tenant="acme" sandbox api-base="" resend-delay="0" mfa-token="${mfaToken}"></aldero-mfa-challenge>
<aldero-sms-enroll tenant="acme" sandbox api-base="" default-country="GB"></aldero-sms-enroll>
<aldero-recovery-codes brand="Acme"></aldero-recovery-codes>
</body></html>`,
    }),
  );
  await page.goto(`${server.url}/plain-page`);
  await page.evaluate(async (token) => {
    await customElements.whenDefined('aldero-sms-enroll');
    (document.querySelector('aldero-sms-enroll') as HTMLElement & { accessToken: string }).accessToken = token;
    (document.querySelector('aldero-recovery-codes') as HTMLElement & { codes: string[] }).codes = ['6dca-d1dd', 'd417-fa55', '0a1b-2c3d', '9e8f-7a6b', '5c4d-3e2f', '1a2b-3c4d'];
  }, other.accessToken);
  await page.locator('aldero-mfa-challenge #trust-device').waitFor();
  await page.locator('aldero-sms-enroll [part~="disclosure"]').filter({ hasText: 'on behalf of' }).waitFor();
  const background = await page.locator('aldero-mfa-challenge').evaluate((element) => getComputedStyle(element.shadowRoot!.querySelector('[part~="base"]')!).backgroundColor);
  assert.equal(background, 'rgb(17, 24, 39)', 'the built-in dark palette');
  await shoot(page, '16-elements-default-dark');
  await context.close();
});
