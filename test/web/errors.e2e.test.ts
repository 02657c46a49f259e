/** Errors read in the app's own language, by code (a Chinese app never shows the API's English sentence), and the app by keyboard. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { addStaffUser } from '../../src/auth/index.ts';
import { ERROR_CATALOGUE } from '../../src/shared/error-catalogue.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { enrolMerchants, enrolment } from '../support/fixtures.ts';
import { DESKTOP_VIEWPORT, PHONE_VIEWPORT, serveToBrowser, signInMerchant } from './browser.ts';

let t: TestApp;
let browser: Browser;
let origin: string;
before(async () => {
  t = await createTestApp();
  ({ origin, browser } = await serveToBrowser(t.app));
  await enrolMerchants(t.db.pool, 2, 61); // a phone gets one code a minute: one merchant a test
  await addStaffUser(t.db.pool, { username: 'reviewer.wu', displayName: '吴审核', role: 'reviewer', password: 'correct horse battery' });
});
after(async () => {
  await browser?.close();
  await t?.close();
});

test('a wrong one-time code is told in Chinese in the Chinese merchant app', async () => {
  const context = await browser.newContext({ viewport: PHONE_VIEWPORT, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await page.locator('#phone').fill(enrolment(61).phone);
  await page.getByRole('button', { name: '获取验证码' }).click();
  await page.getByText('验证码已发送').waitFor();
  await page.locator('#code').fill('000000');
  const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/v1/auth/sessions')), page.getByRole('button', { name: '登录' }).click()]);
  assert.equal(answer.status(), 401);
  assert.equal(((await answer.json()) as { error: { code: string } }).error.code, 'otp_invalid');
  await page.getByText(ERROR_CATALOGUE.otp_invalid.zh).waitFor();
  assert.equal(await page.getByText(/wrong code/).count(), 0, "the API's English sentence is not shown");
  await context.close();
});

test('a wrong password is told in the console in each language', async () => {
  const context = await browser.newContext({ viewport: DESKTOP_VIEWPORT, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${origin}/console/`);
  const signIn = async (submit: RegExp) => {
    await page.getByLabel(/用户名|Username/).fill('reviewer.wu');
    await page.getByLabel(/密码|Password/).fill('not the password');
    await page.getByRole('button', { name: submit }).click();
  };
  await signIn(/^登\s?录$/);
  await page.getByRole('alert').filter({ hasText: ERROR_CATALOGUE.wrong_credentials.zh }).waitFor();
  await page.getByRole('button', { name: 'English' }).click();
  await signIn(/^Sign in$/);
  await page.getByRole('alert').filter({ hasText: ERROR_CATALOGUE.wrong_credentials.en }).waitFor();
  assert.equal(await page.getByText('unknown username or wrong password').count(), 0);
  await context.close();
});

test('the merchant app by keyboard: Tab reaches the tab bar, Enter opens a tab, and the focused control is outlined', async () => {
  const context = await browser.newContext({ viewport: PHONE_VIEWPORT, locale: 'zh-CN' });
  const page = await context.newPage();
  await signInMerchant(page, origin, enrolment(62).phone);
  const claimTab = page.getByRole('link', { name: '报销', exact: true });
  let reached = false;
  for (let presses = 0; presses < 40 && !reached; presses++) {
    await page.keyboard.press('Tab');
    reached = await claimTab.evaluate((el) => el === el.ownerDocument.activeElement);
  }
  assert.ok(reached, 'Tab reaches the 报销 tab');
  const outline = await claimTab.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).outlineStyle);
  assert.equal(outline, 'solid', 'the focused tab is outlined');
  await page.keyboard.press('Enter');
  await page.waitForURL(/#\/claim/);
  await context.close();
});
