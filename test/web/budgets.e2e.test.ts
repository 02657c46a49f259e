/**
 * The liability and budgets in real headless Chromium against a real server and database: an admin
 * sets a city's budget in the console (a second one for the same month is refused in the reader's
 * language), payments use it up, and the console shows the liability by day and city, its expected
 * cost, the forecast and the alerts; the merchant's app says, before and after, what happens when
 * the budget is used up. In Chinese and in English.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { addStaffUser } from '../../src/auth/index.ts';
import { refreshLiability } from '../../src/budgets/index.ts';
import { ingestPayments } from '../../src/payments/ingest.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { enrolment, enrolMerchants, type TestMerchant } from '../support/fixtures.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';
import { notification, payerWallet } from '../support/payments.ts';
import { assertAccessible, DESKTOP_VIEWPORT, noneLeft, PHONE_VIEWPORT, SCREENSHOTS, serveToBrowser, signInMerchant, signInStaff, standingStill } from './browser.ts';

const ADMIN = { username: 'admin.budget', password: 'correct staple battery' };
const NOW = new Date('2030-05-10T12:00:00+08:00');

let t: TestApp;
let browser: Browser;
let origin: string;
let merchants: TestMerchant[];

before(async () => {
  t = await createTestApp({ now: () => NOW });
  ({ origin, browser } = await serveToBrowser(t.app));
  await addStaffUser(t.db.pool, { username: ADMIN.username, displayName: '赵管理', role: 'admin', password: ADMIN.password });
  merchants = await enrolMerchants(t.db.pool, 2, 9_301);
});
after(async () => {
  await browser?.close();
  await t?.close();
});

const phoneOf = (n: number) => enrolment(n).phone;

/** Clicks and waits for the create's answer; returns its status. */
async function created(page: Page, click: () => Promise<void>): Promise<number> {
  const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/v1/budgets') && r.request().method() === 'POST'), click()]);
  return response.status();
}

async function fillBudget(page: Page, words: { add: string; city: string; month: string; limit: string }, limitYuan: string): Promise<void> {
  await page.getByRole('button', { name: words.add }).click();
  await standingStill(page, '.ant-modal');
  await page.getByLabel(words.city).fill('杭州');
  await page.getByLabel(words.month).fill('2030-05');
  await page.getByLabel(words.limit).fill(limitYuan);
}

test("a budget set in the console is used up by payments; the console shows the liability and the alerts, the merchant's app the rule, in Chinese and in English", async () => {
  const [a, b] = merchants as [TestMerchant, TestMerchant];

  // the merchant's app before: 0 % used, the rule said ahead
  const phone = await browser.newContext({ viewport: PHONE_VIEWPORT, locale: 'zh-CN' });
  const app = await phone.newPage();

  const desk = await browser.newContext({ viewport: DESKTOP_VIEWPORT, locale: 'zh-CN' });
  const page = await desk.newPage();
  await signInStaff(page, origin, ADMIN);
  await page.getByRole('menuitem', { name: '预算' }).click();
  await page.getByRole('heading', { name: '积分负债与预算' }).waitFor();
  await page.getByText('尚未设置预算').waitFor();
  const zh = { add: '新增预算', city: '城市', month: '月份', limit: '预算（元）', save: /^保\s?存$/ };
  await fillBudget(page, zh, '10.00');
  assert.equal(await created(page, () => page.getByRole('button', { name: zh.save }).click()), 201);
  await page.getByText('预算已设置').waitFor();
  await page.getByTestId('budgets').getByRole('cell', { name: '¥10.00' }).waitFor();
  await noneLeft(page, '.ant-modal-wrap');
  // the same city and month again: refused, in Chinese
  await fillBudget(page, zh, '20.00');
  assert.equal(await created(page, () => page.getByRole('button', { name: zh.save }).click()), 409);
  await page.getByText('这个城市这个月已经有预算了。').waitFor();
  await page.getByRole('button', { name: /取\s?消/ }).click();
  await noneLeft(page, '.ant-modal-wrap');

  await signInMerchant(app, origin, phoneOf(9_301));
  await app.getByTestId('budget').getByText('本月杭州积分预算').waitFor();
  await app.getByText('已使用 0%。预算用完后，新的收款将暂停累积积分，2030/6/1起恢复。').waitFor();
  await app.getByText('您已有的积分（待领取、可用、报销中）不受影响，照常领取和报销。').waitFor();

  // a's payers use it up: 400 + 200 + 200 + 200; the fifth and b's first earn nothing
  const pay = (m: TestMerchant, i: number) => notification({ tradeNo: `W-${m.id}-${i}`, sellerId: m.walletUserId, buyerId: payerWallet(900 + i), gmtPayment: new Date(`2030-05-10T09:0${i}:00+08:00`) });
  const results = await ingestPayments(t.db.pool, [1, 2, 3, 4, 5].map((i) => pay(a, i)).concat([pay(b, 6)]));
  assert.deepEqual(results.map((r) => r.outcome), ['credited', 'credited', 'credited', 'credited', 'budget_reached', 'budget_reached']);
  await refreshLiability(t.db.pool, '2030-05-10', NOW);
  await assertLedgerInvariants(t.db.pool);
  await assertLotsMatchLedger(t.db.pool);

  await page.reload();
  await page.getByRole('heading', { name: '积分负债与预算' }).waitFor();
  await page.getByTestId('liability-chart').waitFor();
  await page.getByTestId('liability-cities').getByRole('row').filter({ hasText: '杭州' }).getByRole('cell', { name: '¥10.00' }).first().waitFor();
  await page.getByTestId('budgets').getByText('已用完').waitFor();
  await page.getByTestId('budget-alerts').getByText('杭州 2030-05 预算已使用 80%').waitFor();
  await page.getByTestId('budget-alerts').getByText('杭州 2030-05 预算已用完：新积分暂停').waitFor();
  await assertAccessible(page, 'console budgets');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'console-budgets.zh-CN.png'), fullPage: true });

  await app.reload();
  await app.getByText('本月预算已用完：新的收款暂停累积积分，2030/6/1起恢复。').waitFor();
  await assertAccessible(app, 'merchant home with a budget used up');

  // in English
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Liability and budgets' }).waitFor();
  await page.getByTestId('budgets').getByText('Used up').waitFor();
  await page.getByTestId('budget-alerts').getByText('杭州 2030-05: 80% of the budget used').waitFor();
  await page.getByTestId('budget-alerts').getByText('杭州 2030-05: budget used up, new credit paused').waitFor();
  const en = { add: 'New budget', city: 'City', month: 'Month', limit: 'Budget (yuan)', save: 'Save' };
  await fillBudget(page, en, '30.00');
  assert.equal(await created(page, () => page.getByRole('button', { name: en.save }).click()), 409);
  await page.getByText('This city has a budget for that month already.').waitFor();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await noneLeft(page, '.ant-modal-wrap');
  await noneLeft(page, '.ant-message-notice');
  await assertAccessible(page, 'console budgets, English');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'console-budgets.en.png'), fullPage: true });

  await app.getByRole('button', { name: 'English' }).click();
  await app.getByText("杭州's credit budget this month").waitFor();
  await app.getByText("This month's budget is used up: new payments earn no credit until 6/1/2030.").waitFor();
  await app.getByText('Credit you already have (to collect, available, held by a claim) is unaffected: collect it and claim with it as before.').waitFor();
  await assertAccessible(app, 'merchant home with a budget used up, English');
  await phone.close();
  await desk.close();
});
