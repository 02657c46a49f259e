/**
 * Both apps by keyboard alone (issue 23): every control Tab reaches shows where the focus is, and the
 * merchant app's tab bar is reached with Tab and followed with Enter.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { addStaffUser } from '../../src/auth/index.ts';
import { localFileStore } from '../../src/storage/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { enrolMerchants, enrolment } from '../support/fixtures.ts';
import { DESKTOP_VIEWPORT, PHONE_VIEWPORT, serveToBrowser, signInMerchant, tabThrough } from './browser.ts';

const ADMIN = { username: 'admin.kb', password: 'correct horse battery' };
let t: TestApp;
let browser: Browser;
let origin: string;
before(async () => {
  t = await createTestApp({ files: localFileStore(fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-files-'))) }); // claims' routes, the queue's among them
  ({ origin, browser } = await serveToBrowser(t.app));
  await enrolMerchants(t.db.pool, 2, 64); // a phone gets one code a minute: one merchant a test
  await addStaffUser(t.db.pool, { username: ADMIN.username, displayName: '键盘管理', role: 'admin', password: ADMIN.password });
});
after(async () => {
  await browser?.close();
  await t?.close();
});

const unseen = (stops: { what: string; visible: boolean }[]) => stops.filter((s) => !s.visible).map((s) => s.what);

test('the merchant app by keyboard: every control shows its focus, and Tab and Enter reach and follow each tab of the bar', async () => {
  const context = await browser.newContext({ viewport: PHONE_VIEWPORT, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await page.locator('#phone').waitFor();
  const signIn = await tabThrough(page);
  assert.ok(signIn.length >= 3, `the sign-in screen's controls are reached: ${JSON.stringify(signIn)}`);
  assert.deepEqual(unseen(signIn), [], 'sign-in: every focused control shows it');

  await signInMerchant(page, origin, enrolment(64).phone);
  for (const [tab, hash, ready] of [
    ['报销', '#/claim', page.getByRole('button', { name: '📷 拍照 / 选择照片' })],
    ['兑换', '#/shop', page.getByTestId('shop-available').filter({ hasText: '¥' })],
    ['明细', '#/history', page.getByRole('heading', { name: '额度明细' })],
    ['我的', '#/me', page.getByRole('button', { name: '退出登录' })],
    ['首页', '#/home', page.getByTestId('available')],
  ] as const) {
    const stops = await tabThrough(page);
    assert.deepEqual(unseen(stops), [], `every focused control shows it (before ${tab}): ${JSON.stringify(stops)}`);
    const link = page.getByRole('link', { name: tab, exact: true });
    assert.ok(stops.some((s) => s.what === `a "${tab}"`), `Tab reaches the ${tab} tab: ${JSON.stringify(stops.map((s) => s.what))}`);
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.hash === hash);
    await ready.waitFor();
    assert.equal(await link.getAttribute('aria-current'), 'page', `${tab} is the current tab`);
  }
  await context.close();
});

test('the console by keyboard: signing in, the menu and each page show where the focus is', async () => {
  const context = await browser.newContext({ viewport: DESKTOP_VIEWPORT, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${origin}/console/`);
  await page.getByLabel('用户名').waitFor();
  const signIn = await tabThrough(page);
  assert.ok(signIn.length >= 3, `the sign-in form's controls are reached: ${JSON.stringify(signIn)}`);
  assert.deepEqual(unseen(signIn), [], 'sign-in: every focused control shows it');
  // signed in by keyboard alone
  await page.getByLabel('用户名').focus();
  await page.keyboard.type(ADMIN.username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(ADMIN.password);
  await page.keyboard.press('Enter');
  await page.getByRole('menu').first().waitFor();
  for (const [menu, ready] of [
    ['预算', page.getByText('尚未设置预算')],
    ['审核队列', page.getByText('队列为空').first()],
    ['商户', page.getByLabel('钱包用户号、手机号、商户号或姓名开头')],
    ['规则', page.getByText('当前生效').first()],
    ['兑换目录', page.getByRole('button', { name: /新增服务/ })],
    ['打款', page.getByText('对账提醒')],
  ] as const) {
    await page.getByRole('menuitem', { name: menu }).click();
    await ready.waitFor();
    await page.locator('.ant-spin-spinning').first().waitFor({ state: 'detached' });
    const stops = await tabThrough(page);
    assert.ok(stops.length >= 2, `${menu}: controls are reached`);
    assert.deepEqual(unseen(stops), [], `${menu}: every focused control shows it: ${JSON.stringify(stops)}`);
  }
  await context.close();
});
