/**
 * The console's audit screen in real headless Chromium against a real server and database: the
 * queue of paid claims drawn for audit, a claim confirmed, an overpayment recovered, the statistics
 * following each decision, refusals in the reader's language; in Chinese and in English.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { addStaffUser } from '../../src/auth/index.ts';
import type { AuditSampling } from '../../src/config/config.ts';
import { merchantBalance } from '../../src/ledger/index.ts';
import { merchantWithCredit, paidClaim } from '../support/audits.ts';
import { createClaimsHarness, type ClaimsHarness } from '../support/claims.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';
import { assertAccessible, DESKTOP_VIEWPORT, noneLeft, SCREENSHOTS, serveToBrowser, standingStill } from './browser.ts';

const REVIEWER = { username: 'reviewer.audit', password: 'correct horse battery' };
/** Every claim from 400 fen by amount; every claim below it at random (share 1). */
const ALL: AuditSampling = { share: 1, alwaysFromFen: 400, key: 'a-test-key-of-sixteen' };

let h: ClaimsHarness;
let browser: Browser;
let origin: string;

before(async () => {
  h = await createClaimsHarness({ workers: false });
  ({ origin, browser } = await serveToBrowser(h.app));
  await addStaffUser(h.db.pool, { username: REVIEWER.username, displayName: '钱审核', role: 'reviewer', password: REVIEWER.password });
});
after(async () => {
  await browser?.close();
  await h?.close();
});

async function signInReviewer(page: Page): Promise<void> {
  await page.goto(`${origin}/console/`);
  await page.getByLabel('用户名').fill(REVIEWER.username);
  await page.getByLabel('密码').fill(REVIEWER.password);
  await page.getByRole('button', { name: '登 录' }).or(page.getByRole('button', { name: '登录' })).click();
  await page.getByTestId('chart-claims').waitFor();
}

const rowOf = (page: Page, claimId: string) => page.getByRole('row').filter({ has: page.locator(`a[href="#/claims/${claimId}"]`) });

/**
 * Clicks and waits for the decision's answer; returns its status. If no answer comes, the failure
 * says what the page had sent and shows, with a screenshot: this wait once timed out under load, and
 * nine runs beside busy loops did not show it again.
 */
async function decided(page: Page, click: () => Promise<void>): Promise<number> {
  const sent: string[] = [];
  const onRequest = (r: { method(): string; url(): string }) => void sent.push(`${r.method()} ${new URL(r.url()).pathname}`);
  page.on('request', onRequest);
  try {
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/decision') && r.request().method() === 'POST'), click()]);
    return response.status();
  } catch (err) {
    const shot = path.join(os.tmpdir(), `carepoints-audits-failure-${process.pid}.png`);
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
    const overlays = await page.evaluate(`[...document.querySelectorAll('.ant-modal-wrap, .ant-modal-mask, .ant-message-notice, .ant-select-dropdown')].filter((el) => el.getClientRects().length > 0).map((el) => el.className).join('; ')`);
    throw new Error(`no answer to the decision: requests since the click: ${sent.join(', ') || 'none'}; overlays shown: ${String(overlays) || 'none'}; screenshot ${shot}`, { cause: err });
  } finally {
    page.off('request', onRequest);
  }
}

test('a reviewer confirms one claim and recovers an overpayment from another; the figures follow; refusals are in the reader\'s language', async () => {
  const m = await merchantWithCredit(h, 9_101, '孙丽');
  const big = await paidClaim(h, m, 500, 'machine', ALL);
  const small = await paidClaim(h, m, 50, 'machine', ALL);
  const third = await paidClaim(h, m, 60, 'machine', ALL);

  const context = await browser.newContext({ viewport: DESKTOP_VIEWPORT, locale: 'zh-CN' });
  const page = await context.newPage();
  await signInReviewer(page);
  await page.getByRole('menuitem', { name: '抽查' }).click();
  await rowOf(page, big.claimId).getByText('金额线以上').waitFor();
  await rowOf(page, small.claimId).getByText('随机抽样').waitFor();
  assert.equal(await page.getByTestId('error-interval').textContent(), '尚无已复核的抽样');
  await assertAccessible(page, 'console audits');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'console-audits.zh-CN.png'), fullPage: true });

  // one sampled claim confirmed: 0 of 1, Wilson's interval reaches 79.3 %
  assert.equal(await decided(page, () => rowOf(page, small.claimId).getByRole('button', { name: '确认无误' }).click()), 200);
  await rowOf(page, small.claimId).waitFor({ state: 'detached' });
  await page.getByTestId('error-interval').getByText('95% 置信区间 0.0% – 79.3%').waitFor();

  // the census claim overpaid: a due amount not below what was paid is refused in Chinese, then ¥1.00 is due
  await rowOf(page, big.claimId).getByRole('button', { name: '多付…' }).click();
  await standingStill(page, '.ant-modal');
  await page.getByLabel('应付金额（元）').fill('5.00');
  assert.equal(await decided(page, () => page.getByRole('button', { name: '确认并扣回' }).click()), 422);
  await page.getByText('应付金额必须低于已付金额').waitFor();
  await page.getByLabel('应付金额（元）').fill('1.00');
  await page.getByLabel('说明（商户可见）').fill('金额读错');
  assert.equal(await decided(page, () => page.getByRole('button', { name: '确认并扣回' }).click()), 200);
  await page.getByText('已扣回多付金额并通知商户').waitFor();
  await rowOf(page, big.claimId).waitFor({ state: 'detached' });
  await page.getByTestId('audit-statistics').getByText('¥4.00').first().waitFor();
  await noneLeft(page, '.ant-modal-wrap');

  // 800 − 500 − 50 − 60 = 190 fen available: taken, the other 210 fen as debt
  const balance = (await merchantBalance(h.db.pool, m.merchantId))!;
  assert.deepEqual([balance.availableFen, balance.debtFen], [0, 210]);
  await assertLedgerInvariants(h.db.pool);
  await assertLotsMatchLedger(h.db.pool);
  const { rows } = await h.db.pool.query<{ zh: string }>("SELECT zh FROM merchant_notifications WHERE merchant_id = $1 AND kind = 'claim_audit_overpaid'", [m.merchantId]);
  assert.match(rows[0]!.zh, /多付 ¥4\.00。原因：票据金额识别有误。.*审核说明：金额读错/);

  // in English: the same screen, the last claim confirmed (0 of 2: up to 65.8 %), a refusal in English
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Audits of paid claims' }).waitFor();
  await rowOf(page, third.claimId).getByText('At random').waitFor();
  await rowOf(page, third.claimId).getByRole('button', { name: 'Overpaid…' }).click();
  await standingStill(page, '.ant-modal');
  await page.getByLabel('Amount due (CNY)').fill('0.10');
  await page.locator('.ant-modal .ant-form-item').filter({ hasText: 'Reason' }).locator('.ant-select-selector').click();
  await page.locator('.ant-select-item-option[title="another reason"]').click();
  assert.equal(await decided(page, () => page.getByRole('button', { name: 'Confirm and take back' }).click()), 422);
  await page.getByText('With "another reason", write the reason: the merchant will read it.').waitFor();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await noneLeft(page, '.ant-modal-wrap');
  assert.equal(await decided(page, () => rowOf(page, third.claimId).getByRole('button', { name: 'Correct' }).click()), 200);
  await page.getByTestId('error-interval').getByText('95% interval 0.0% – 65.8%').waitFor();
  await page.getByText('No audit waiting').waitFor();
  await noneLeft(page, '.ant-message-notice');
  await assertAccessible(page, 'console audits, English');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'console-audits.en.png'), fullPage: true });
  await context.close();
});
