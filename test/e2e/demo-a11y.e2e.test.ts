/**
 * Issue 18, the demo: every page (and every state of the pages with the elements) in the light
 * brand (Acme) and the dark one (Globex): axe finds nothing, the page has one h1, nothing scrolls
 * sideways at 320 px, and focus lands on the new page's h1 after each navigation and after "I
 * have saved these codes". Axe is axe-core itself (the one @open-wc/testing's chai-a11y-axe
 * runs), injected into the page; it looks inside the elements' shadow roots.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { findChromium, launchChromium } from './browser.ts';
import { startDemoServer, type DemoServer } from './demo-server.ts';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const chromium = findChromium();
const skip = chromium ? false : 'no Chromium found: install it (Debian: apt-get install chromium) or set CHROME_PATH';

let server: DemoServer;
let browser: Browser;

before(async () => {
  if (!chromium) return;
  [server, browser] = await Promise.all([startDemoServer(), launchChromium(chromium)]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

interface AxeViolation {
  id: string;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** axe-core on the whole page (shadow roots included), WCAG 2.x A and AA. */
async function axe(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const { violations } = await (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return violations.map(({ id, help, nodes }) => ({ id, help, nodes: nodes.map(({ target, failureSummary }) => ({ target, failureSummary })) }));
  });
}

/**
 * The checks every page state passes: axe at the desktop width and at 320 px, one h1, and at
 * 320 px nothing wider than the viewport (`scrollWidth <= clientWidth`).
 */
/** Waits for every finite animation running now (a toast fading in, the phone's entrance) to end. */
async function animationsSettled(page: Page): Promise<void> {
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((animation) => Number.isFinite(Number(animation.effect?.getComputedTiming().endTime)))
        .map((animation) => animation.finished.catch(() => undefined)),
    ),
  );
}

async function checkPage(page: Page, state: string, problems: string[]): Promise<void> {
  // Let transitions (and the phone's entrance animation) settle: axe reads the colours as painted.
  await page.waitForTimeout(450);
  await animationsSettled(page);
  const headings = await page.locator('h1').count();
  if (headings !== 1) problems.push(`${state}: ${headings} h1 elements`);
  for (const width of [1280, 320]) {
    await page.setViewportSize({ width, height: width === 320 ? 640 : 900 });
    await page.waitForTimeout(150);
    // A narrow viewport shows the SMS notification, which fades in: axe reads colours as painted.
    await animationsSettled(page);
    if (width === 320) {
      const { scrollWidth, clientWidth, wide } = await page.evaluate(() => {
        const root = document.documentElement;
        // What sticks out, to say what to fix.
        const wide = [...document.querySelectorAll('body *')]
          .filter((element) => element.getBoundingClientRect().right > root.clientWidth + 0.5)
          .slice(0, 5)
          .map((element) => `${element.localName}${element.id ? `#${element.id}` : ''}.${[...element.classList].join('.')}`);
        return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide };
      });
      if (scrollWidth > clientWidth) problems.push(`${state} at 320 px: scrollWidth ${scrollWidth} > clientWidth ${clientWidth} (${wide.join(', ')})`);
    }
    for (const violation of await axe(page)) {
      problems.push(`${state} at ${width} px: ${violation.id} (${violation.help}): ${violation.nodes.map((node) => `${JSON.stringify(node.target)} ${node.failureSummary ?? ''}`).join(' | ')}`);
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** The accessible name of what has focus, and whether it is the page's h1. */
async function focusIsOnH1(page: Page): Promise<boolean> {
  await page.waitForFunction(() => document.activeElement?.localName === 'h1', undefined, { timeout: 3000 }).catch(() => undefined);
  return page.evaluate(() => document.activeElement === document.querySelector('main h1'));
}

async function codeFromPhone(page: Page, count: number): Promise<string> {
  await page.waitForFunction((seen) => document.querySelectorAll('demo-phone .sms').length > seen, count, { timeout: 15_000 });
  return (await page.locator('demo-phone .sms').last().locator('.sms-code').textContent())!;
}

for (const { theme, colorScheme } of [
  { theme: 'acme', colorScheme: 'light' },
  { theme: 'globex', colorScheme: 'dark' },
] as const) {
  test(`the demo in ${theme} (${colorScheme}): axe, one h1, no sideways scroll at 320 px, focus to the h1`, { skip, timeout: 180_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC', colorScheme });
    const page = await context.newPage();
    const problems: string[] = [];
    const focus = async (after: string) => {
      if (!(await focusIsOnH1(page))) {
        problems.push(`after ${after}, focus is on ${await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 80))}, not the page's h1`);
      }
    };
    const email = `a11y-${theme}-${Date.now()}@example.com`;
    const password = 'correct horse battery staple';

    await page.goto(`${server.url}/login?theme=${theme}`);
    await page.locator('#submit').waitFor();
    await checkPage(page, 'sign in', problems);
    await page.locator('#idp').click();
    await page.locator('#idp-email').waitFor();
    await checkPage(page, 'sign in: the demo IdP box', problems);

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL('**/signup');
    await focus('the link to the sign-up');
    await checkPage(page, 'sign up', problems);

    await page.locator('#email').fill(email);
    await page.locator('#password').fill(password);
    await page.locator('#submit').click();
    await page.waitForURL('**/dashboard/security/mfa');
    await focus('signing up');
    const enroll = page.locator('aldero-sms-enroll');
    await enroll.locator('[part~="disclosure"]').filter({ hasText: 'on behalf of' }).waitFor(); // the disclosure from the server, not "Loading…"
    await checkPage(page, 'MFA settings: SMS off, the phone step', problems);

    await enroll.locator('#phone').fill((await page.locator('#phone-number').textContent())!.trim());
    await enroll.locator('#send').click();
    const code = await codeFromPhone(page, 0);
    await enroll.locator('#code').waitFor();
    await checkPage(page, 'MFA settings: the code step, the SMS on the phone', problems);

    await enroll.locator('#code').fill(code);
    await enroll.locator('aldero-recovery-codes [part~="code"]').first().waitFor();
    await checkPage(page, 'MFA settings: the recovery codes', problems);

    const recoveryCode = (await enroll.locator('aldero-recovery-codes [part~="code"]').first().textContent())!.trim();
    await enroll.locator('aldero-recovery-codes [part~="acknowledge"]').click();
    await page.locator('#sms-phone').waitFor();
    await focus('"I have saved these codes"');
    await checkPage(page, 'MFA settings: SMS on, the turn-off form', problems);

    await page.locator('#totp-setup').click();
    await page.locator('#totp-uri').waitFor();
    await checkPage(page, 'MFA settings: setting up an authenticator app (key and otpauth URI)', problems);
    await page.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('link', { name: 'Overview' }).click();
    await page.waitForURL('**/dashboard');
    await focus('the link to the overview');
    await checkPage(page, 'overview', problems);

    await page.locator('#sign-out').click();
    await page.waitForURL('**/login');
    await focus('signing out');
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(password);
    await page.locator('#submit').click();
    await page.waitForURL('**/login/verify');
    const challenge = page.locator('aldero-mfa-challenge');
    await challenge.locator('#code').waitFor();
    const loginCode = await codeFromPhone(page, 1);
    // The challenge element then moves focus on to its code field (the keyboard path the elements promise).
    await checkPage(page, 'the challenge', problems);

    await challenge.locator('[part~="trust-device"] input').check();
    await challenge.locator('#code').fill(loginCode);
    await page.waitForURL('**/dashboard');
    await page.locator('#session-amr').waitFor();
    await checkPage(page, 'overview: signed in with the code', problems);
    await page.getByRole('link', { name: 'Security', exact: true }).click();
    await page.locator('.device .badge-current').waitFor();
    await checkPage(page, 'MFA settings: a trusted device', problems);

    await page.locator('#sms-disable-code').fill(recoveryCode);
    await page.locator('#sms-disable').click();
    await page.locator('#sms .status-off').waitFor();
    await checkPage(page, 'MFA settings: text message verification turned off', problems);

    await page.goto(`${server.url}/nowhere`);
    await page.locator('h1').waitFor();
    await checkPage(page, 'not found', problems);

    assert.deepEqual(problems, [], problems.join('\n'));
    await context.close();
  });
}
