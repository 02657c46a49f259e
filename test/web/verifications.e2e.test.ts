/**
 * The console's section on invoices checked with their issuer, in real headless Chromium against a
 * real server, database and sandbox verification service: two paid claims decided while the service
 * was down, one checked after payment (the issuer's total is lower: it goes to the audit desk, whose
 * overpayment decision the section then shows), one still queued; the figures, the cache and the
 * daily limit; in Chinese and in English.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { addStaffUser } from '../../src/auth/index.ts';
import { CLAIM_TASKS, claimTasks, type ClaimsRuntime } from '../../src/claims/index.ts';
import type { AuditSampling } from '../../src/config/config.ts';
import { merchantWithCredit, paidClaim, PAID_AT } from '../support/audits.ts';
import { createClaimsHarness, type ClaimsHarness } from '../support/claims.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';
import { assertAccessible, DESKTOP_VIEWPORT, noneLeft, SCREENSHOTS, serveToBrowser, signInStaff, standingStill } from './browser.ts';

const REVIEWER = { username: 'reviewer.verify', password: 'correct horse battery' };
/** No audit at random or by amount: the audit desk holds only what the issuer contradicted. */
const NONE: AuditSampling = { share: 0, alwaysFromFen: 100_000, key: 'a-test-key-of-sixteen' };

let h: ClaimsHarness;
let browser: Browser;
let origin: string;

before(async () => {
  h = await createClaimsHarness({ workers: false, verifier: {} });
  ({ origin, browser } = await serveToBrowser(h.app));
  await addStaffUser(h.db.pool, { username: REVIEWER.username, displayName: '孙审核', role: 'reviewer', password: REVIEWER.password });
});
after(async () => {
  await browser?.close();
  await h?.close();
});

/** A paid claim as a decision taken while the issuer's service was down leaves it: queued for a check after payment. */
async function paidWhileDown(merchant: { merchantId: number; walletUserId: string }, amountFen: number) {
  const claim = await paidClaim(h, merchant, amountFen, 'machine', NONE);
  const { rows } = await h.db.pool.query<{ invoice_code: string; invoice_number: string }>('SELECT invoice_code, invoice_number FROM claims WHERE claim_id = $1', [claim.claimId]);
  const bill = { billCode: rows[0]!.invoice_code, billNumber: rows[0]!.invoice_number };
  await h.db.pool.query(
    `INSERT INTO claim_verifications (merchant_id, claim_id, invoice_code, invoice_number, check_code, issue_date, total_fen, outcome, deferred_because, checked_at, after_payment)
     VALUES ($1, $2, $3, $4, 'a1b2c3', $5, $6, 'deferred', 'outage', now(), 'queued')`,
    [merchant.merchantId, claim.claimId, bill.billCode, bill.billNumber, PAID_AT.toISOString().slice(0, 10), amountFen],
  );
  return { ...claim, bill };
}

const section = (page: Page) => page.getByTestId('verifications');
const queueRow = (page: Page, claimId: string) => section(page).getByRole('row').filter({ has: page.locator(`a[href="#/claims/${claimId}"]`) });
const auditRow = (page: Page, claimId: string) => page.locator('section').first().locator('> .ant-table-wrapper').getByRole('row').filter({ has: page.locator(`a[href="#/claims/${claimId}"]`) });

test("a claim paid while the issuer was down and contradicted after payment reaches the audit desk, and its recovery shows in the section; in Chinese and in English", async () => {
  const m = await merchantWithCredit(h, 9_201, '周敏');
  const contradicted = await paidWhileDown(m, 500);
  const waiting = await paidWhileDown(m, 100);
  // the issuer's record: 2 yuan less than the claim's total
  h.verifier!.issue({ ...contradicted.bill, checkCode: 'a1b2c3', issueDate: PAID_AT.toISOString().slice(0, 10), totalFen: 300 });
  const unused = () => Promise.reject(new Error('the check after payment reads no photo'));
  const runtime: ClaimsRuntime = { pool: h.db.pool, files: undefined as never, recognizer: unused, hospitals: unused, gateway: h.gateway, verification: h.verification! };
  await claimTasks(runtime)[CLAIM_TASKS.verify]!({ merchantId: m.merchantId, claimId: contradicted.claimId }, undefined as never);

  const context = await browser.newContext({ viewport: DESKTOP_VIEWPORT, locale: 'zh-CN' });
  const page = await context.newPage();
  await signInStaff(page, origin, REVIEWER);
  await page.getByRole('menuitem', { name: '抽查' }).click();
  await section(page).getByRole('heading', { name: '开票单位查验' }).waitFor();
  await queueRow(page, contradicted.claimId).getByText('与开票记录不符: 金额合计').waitFor();
  await queueRow(page, contradicted.claimId).getByText('待复核').waitFor();
  await queueRow(page, waiting.claimId).getByText('等待付款后查验').waitFor();
  await queueRow(page, waiting.claimId).getByText('查验服务无法连接').waitFor();
  await section(page).getByTestId('after-payment').getByText('等待查验 1，付款后核实 0，付款后不符 1').waitFor();
  await section(page).getByTestId('cache-state').getByText('缓存：已核实票据 1 张，查无此票 0 张；今日达到次数上限 0 张').waitFor();
  await auditRow(page, contradicted.claimId).getByText('开票单位查验不符').waitFor();
  await assertAccessible(page, 'console verifications');

  // the reviewer weighs the issuer's record: ¥3.00 was due, ¥2.00 is taken back
  await auditRow(page, contradicted.claimId).getByRole('button', { name: '多付…' }).click();
  await standingStill(page, '.ant-modal');
  await page.getByLabel('应付金额（元）').fill('3.00');
  await page.locator('.ant-modal .ant-form-item').filter({ hasText: '原因' }).locator('.ant-select-selector').click();
  await page.locator('.ant-select-item-option[title="开票单位查验平台的记录与票据不符"]').click();
  const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/decision') && r.request().method() === 'POST'), page.getByRole('button', { name: '确认并扣回' }).click()]);
  assert.equal(response.status(), 200);
  await noneLeft(page, '.ant-modal-wrap');
  await queueRow(page, contradicted.claimId).getByText('已扣回多付').waitFor();
  await page.screenshot({ path: path.join(SCREENSHOTS, 'console-verifications.zh-CN.png'), fullPage: true });
  await assertLedgerInvariants(h.db.pool);
  await assertLotsMatchLedger(h.db.pool);
  const { rows } = await h.db.pool.query<{ zh: string; en: string }>("SELECT zh, en FROM merchant_notifications WHERE merchant_id = $1 AND kind = 'claim_audit_overpaid'", [m.merchantId]);
  assert.match(rows[0]!.zh, /多付 ¥2\.00。原因：开票单位查验平台的记录与票据不符。/);

  await page.getByRole('button', { name: 'English' }).click();
  await section(page).getByRole('heading', { name: 'Invoices checked with their issuer' }).waitFor();
  await queueRow(page, contradicted.claimId).getByText("Contradicts the issuer's record: Total").waitFor();
  await queueRow(page, contradicted.claimId).getByText('Overpayment taken back').waitFor();
  await queueRow(page, waiting.claimId).getByText('Waiting to be checked').waitFor();
  await queueRow(page, waiting.claimId).getByText('Service unreachable').waitFor();
  await section(page).getByTestId('after-payment').getByText('1 waiting, 0 verified and 1 contradicted after payment').waitFor();
  await section(page).getByTestId('cache-state').getByText('Cache: 1 bills verified, 0 unknown; 0 bills at the daily limit today').waitFor();
  await noneLeft(page, '.ant-message-notice');
  // the pointer off the language button it clicked: a hovered antd button's light blue text is not what the page shows at rest
  await page.mouse.move(0, 0);
  await assertAccessible(page, 'console verifications, English');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'console-verifications.en.png'), fullPage: true });
  await context.close();
});
