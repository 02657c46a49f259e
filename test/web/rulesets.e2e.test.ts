/**
 * The console's ruleset form (issue 23): each parameter named, with its unit and bounds from the rules'
 * schema, a value out of bounds refused in the form, and what publishing changes listed before it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { addStaffUser } from '../../src/auth/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { assertAccessible, DESKTOP_VIEWPORT, serveToBrowser, signInStaff } from './browser.ts';

const ADMIN = { username: 'admin.rules', password: 'correct horse battery' };
const DAY_MS = 86_400_000;
let t: TestApp;
let browser: Browser;
let origin: string;
before(async () => {
  t = await createTestApp();
  ({ origin, browser } = await serveToBrowser(t.app));
  await addStaffUser(t.db.pool, { username: ADMIN.username, displayName: '规则管理', role: 'admin', password: ADMIN.password });
});
after(async () => {
  await browser?.close();
  await t?.close();
});

test('an admin changes rules in a form of named parameters with units and bounds, sees the changes, and publishes', async () => {
  const context = await browser.newContext({ viewport: DESKTOP_VIEWPORT, locale: 'zh-CN', timezoneId: 'UTC' });
  const page = await context.newPage();
  await signInStaff(page, origin, ADMIN);
  await page.getByRole('menuitem', { name: '规则' }).click();
  const perPayer = page.getByLabel('每位付款人奖励（0–100000 分）');
  await perPayer.waitFor();
  // the form starts from the rules in force (classic-2019), every parameter named with its unit and bounds
  assert.equal(await perPayer.inputValue(), '200');
  for (const label of ['每日计奖付款人数（0–10000 每天）', '领取时限（0–8784 小时）', '额度有效期（1–120 个月）', '异常时段开始（0–23 时（0–24））', '贴近门槛的金额范围（标记）（不小于 0 分）']) await page.getByLabel(label).waitFor();
  await page.getByText('与当前规则相同').waitFor();
  // the claim rules in force, read-only beside the accrual rules: the 2019 cap, visit age and exclusions
  const claimRules = page.getByRole('row').filter({ hasText: 'claims-classic-2019 v1' });
  await claimRules.getByRole('cell', { name: '30 天内' }).waitFor();
  await claimRules.getByRole('cell', { name: '¥200.00' }).waitFor();
  await claimRules.getByRole('cell', { name: /^口腔牙科、产科与分娩、美容整形/ }).waitFor();
  await assertAccessible(page, 'console rulesets form');

  await perPayer.fill('300');
  const months = page.getByLabel('额度有效期（1–120 个月）');
  await months.fill('0');
  await page.getByText('请填写整数，范围 1–120 个月').waitFor();
  await months.fill('12');
  await page.getByText('请填写整数，范围 1–120 个月').waitFor({ state: 'detached' });
  const changes = page.getByTestId('ruleset-changes').getByRole('listitem');
  await changes.filter({ hasText: '每位付款人奖励: 200 → 300' }).waitFor();
  await changes.filter({ hasText: '额度有效期: 6 → 12' }).waitFor();
  assert.equal(await changes.count(), 2, 'only what changed is listed');

  const from = new Date(Date.now() + 2 * DAY_MS).toISOString().slice(0, 16); // the form's local time is UTC here
  await page.locator('#effectiveFrom').fill(from); // by id: the versions' table has a column of the same name
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/v1/rulesets') && r.request().method() === 'POST'),
    page.getByRole('button', { name: '发布新版本' }).click(),
  ]);
  assert.equal(answer.status(), 201, await answer.text());
  const sent = answer.request().postDataJSON() as { name: string; params: { creditPerPayerFen: number; validityMonths: number; signals: { oddHoursTo: number } } };
  assert.equal(sent.name, 'classic-2019');
  assert.deepEqual([sent.params.creditPerPayerFen, sent.params.validityMonths, sent.params.signals.oddHoursTo], [300, 12, 5], 'the form sends numbers, nested ones in place');
  await page.getByRole('cell', { name: 'classic-2019 v2' }).waitFor();

  await page.getByRole('button', { name: 'English' }).click();
  await page.getByLabel('Credit per payer (0–100000 fen)').waitFor();
  await page.getByLabel('Margin above the threshold that is flagged (at least 0 fen)').waitFor();
  await page.getByRole('columnheader', { name: 'Not covered' }).waitFor();
  await page.getByRole('row').filter({ hasText: 'claims-classic-2019 v1' }).getByRole('cell', { name: /^dental care, obstetrics and childbirth/ }).waitFor();
  await context.close();
});
