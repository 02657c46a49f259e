/**
 * The console says the API's codes in words, in each language (issue 23): a merchant's ledger and
 * signals, the payouts and their failures, a claim's checks; no raw `spend`, `post`, `odd_hour`,
 * `succeeded`, `PAYEE_NOT_EXIST` or `pass` on those screens.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { addStaffUser } from '../../src/auth/index.ts';
import { finding } from '../../src/claims/findings.ts';
import { insertClaim, transitionClaim } from '../../src/claims/store.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { changeCredit, postReservation, reserveCredit, type Spend } from '../../src/points/index.ts';
import { localFileStore } from '../../src/storage/index.ts';
import { CODES_ZH } from '../../web/console/codes.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { earnAndCollect } from '../support/credit.ts';
import { enrolMerchants, enrolment, type TestMerchant } from '../support/fixtures.ts';
import { DESKTOP_VIEWPORT, serveToBrowser, signInStaff } from './browser.ts';

const ADMIN = { username: 'admin.codes', password: 'correct horse battery' };
const DAY_MS = 86_400_000;
let t: TestApp;
let browser: Browser;
let origin: string;
let merchant: TestMerchant;
let reviewedClaimId: string;
let invoices = 0; // one invoice per approved claim

/** Every code of the console's tables, as a whole word in its own case: what must never be read on screen. */
const RAW = new RegExp(
  `\\b(${[CODES_ZH.ledger, CODES_ZH.phase, CODES_ZH.signal, CODES_ZH.payoutState, CODES_ZH.payoutFailure, CODES_ZH.outcome, CODES_ZH.claimStatus].flatMap((table) => Object.keys(table)).join('|')})\\b`,
  'g',
);

async function claim(status: 'in_review' | 'approved', findings: ReturnType<typeof finding>[] = []): Promise<string> {
  const ids = { merchantId: merchant.id, claimId: randomUUID() };
  await inTransaction(t.db.pool, async (client) => {
    await insertClaim(client, { ...ids, files: [], submittedAt: new Date() });
    await transitionClaim(client, ids, 'submitted', { code: 'submitted', zh: '已收到报销申请。', en: 'Your claim was received.' });
    await transitionClaim(client, ids, 'recognized', { code: 'recognized', zh: '票据已识别。', en: 'The invoice was read.' });
    const invoice = { invoiceCode: '044001900111', invoiceNumber: String(10_000_000 + ++invoices), visitDate: '2026-11-30', coveredFen: 500 };
    await transitionClaim(client, ids, status, { code: 'sent_to_review', zh: '请人工审核：未能读出收费明细。', en: 'For a person to check: the charge items could not be read.' }, status === 'approved' ? invoice : { findings });
  });
  return ids.claimId;
}

/** A payout of a claim in `state`, failed with `failureCode` when given. */
async function payout(state: 'succeeded' | 'failed', failureCode: string | null): Promise<void> {
  const claimId = await claim('approved');
  await t.db.pool.query(
    `INSERT INTO payouts (merchant_id, payout_id, claim_id, amount_fen, payee_user_id, reserve_id, state, attempts, gateway_order_id, failure_code, settled_at)
     VALUES ($1, $2, $3, 500, $4, $5, $6, 1, $7, $8, now())`,
    [merchant.id, randomUUID().replaceAll('-', ''), claimId, merchant.walletUserId, randomUUID(), state, state === 'succeeded' ? 'G20261130001' : null, failureCode],
  );
}

before(async () => {
  t = await createTestApp({ files: localFileStore(fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-files-'))) });
  ({ origin, browser } = await serveToBrowser(t.app));
  await addStaffUser(t.db.pool, { username: ADMIN.username, displayName: '代码管理', role: 'admin', password: ADMIN.password });
  [merchant] = (await enrolMerchants(t.db.pool, 1, 67)) as [TestMerchant];
  await earnAndCollect(t.db.pool, merchant, 3, new Date(Date.now() - 3 * DAY_MS));
  // a claim's reservation and its payment: the ledger's pending and post phases of a spend
  const spend: Spend = { merchantId: merchant.id, payoutId: 'codes0001', claimId: randomUUID(), amountFen: 300 };
  await changeCredit(t.db.pool, async (change) => {
    await change.lock([merchant.id]);
    await reserveCredit(change, spend);
    await postReservation(change, spend);
  });
  await t.db.pool.query(`UPDATE merchant_accrual SET farming_signals = '{"odd_hour": 2, "merchant_cycle": 1}' WHERE merchant_id = $1`, [merchant.id]);
  await payout('succeeded', null);
  await payout('failed', 'PAYEE_NOT_EXIST');
  await payout('failed', 'ATTEMPTS_EXHAUSTED');
  reviewedClaimId = await claim('in_review', [finding('one_invoice', 'certain', { pages: 1 }), finding('cross_checks_pass', 'certain', {}), finding('no_items_read', 'uncertain', {})]);
});
after(async () => {
  await browser?.close();
  await t?.close();
});

/** The text of the screen's section, once `ready` shows; fails naming any raw code in it. */
async function readsInWords(page: Page, screen: string, ready: ReturnType<Page['locator']>): Promise<string> {
  await ready.first().waitFor();
  await page.locator('.ant-spin-spinning').first().waitFor({ state: 'detached' });
  const text = await page.locator('section').first().innerText();
  assert.deepEqual(text.match(RAW) ?? [], [], `${screen}: raw codes on screen:\n${text}`);
  return text;
}

const MENU = {
  'zh-CN': ['数据看板', '预算', '审核队列', '抽查', '商户', '医院名录', '规则', '兑换目录', '打款', '运维'],
  en: ['Dashboard', 'Budget', 'Review queue', 'Audits', 'Merchants', 'Hospitals', 'Rulesets', 'Catalogue', 'Payouts', 'Operations'],
} as const;

const WORDS = {
  'zh-CN': { tryAgain: '重试', search: '钱包用户号、手机号、商户号或姓名开头', spend: '报销', earned: '收款奖励', reserved: '预留', confirmed: '确认', odd: '异常时段收款 × 2', cycle: '商户间循环收款 × 1', paid: '已到账', noPayee: '收款账户不存在', exhausted: '多次尝试未成功', pass: '通过', doubt: '存疑' },
  en: { tryAgain: 'Try again', search: 'Wallet user id, phone, merchant id or start of name', spend: 'Claim', earned: 'Earned from a customer', reserved: 'Reserved', confirmed: 'Confirmed', odd: 'Payment at an odd hour × 2', cycle: 'Merchants paying each other × 1', paid: 'In the wallet', noPayee: 'No such payee account', exhausted: 'No transfer after every attempt', pass: 'Pass', doubt: 'Doubt' },
} as const;

test('a merchant\'s ledger and signals, the payouts and a claim\'s checks read in words, in Chinese and in English', async () => {
  const context = await browser.newContext({ viewport: DESKTOP_VIEWPORT, locale: 'zh-CN' });
  const page = await context.newPage();
  await signInStaff(page, origin, ADMIN);
  for (const language of ['zh-CN', 'en'] as const) {
    const w = WORDS[language];
    if (language === 'en') await page.getByRole('button', { name: 'English' }).click();
    // an administrator's every page is in the menu bar at a laptop's width, none folded into an overflow
    await page.goto(`${origin}/console/#/dashboard`);
    const bar = page.getByRole('menu').first();
    await bar.getByRole('menuitem', { name: MENU[language][0] }).waitFor();
    const shown = await bar.getByRole('menuitem').evaluateAll((items) => items.filter((i) => i.getClientRects().length > 0 && i.getBoundingClientRect().width > 0).map((i) => i.textContent));
    assert.deepEqual(shown, MENU[language], `${language}: the menu bar shows every page`);
    // a queue that cannot be read says so and offers to try again, instead of loading for ever
    await page.route(/\/v1\/review\/claims\?/, (route) => route.abort('connectionrefused'), { times: 1 });
    await page.goto(`${origin}/console/#/queue`);
    const again = page.getByRole('alert').getByRole('button');
    // antd spaces two Chinese characters apart in a button
    assert.equal((await again.textContent())?.replace(/\s/g, ''), w.tryAgain.replace(/\s/g, ''), `${language}: the alert offers to try again`);
    await again.click();
    await page.locator('.ant-table-row').first().waitFor(); // the claim waiting for review
    assert.equal(await page.getByRole('alert').count(), 0, `${language}: the alert is gone once the queue is read`);
    await page.goto(`${origin}/console/#/merchants`);
    await page.getByLabel(w.search).fill(enrolment(67).phone);
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: enrolment(67).legalName }).click();
    const ledger = await readsInWords(page, 'merchant', page.getByRole('cell', { name: w.confirmed, exact: true }));
    for (const words of [w.earned, w.spend, w.reserved, w.odd, w.cycle]) assert.ok(ledger.includes(words), `${language} merchant: "${words}" in\n${ledger}`);

    await page.goto(`${origin}/console/#/payouts`);
    const payouts = await readsInWords(page, 'payouts', page.getByRole('cell', { name: w.exhausted }));
    for (const words of [w.paid, w.noPayee, w.exhausted]) assert.ok(payouts.includes(words), `${language} payouts: "${words}" in\n${payouts}`);

    await page.goto(`${origin}/console/#/claims/${reviewedClaimId}`);
    const review = await readsInWords(page, 'claim review', page.getByTestId('review-status'));
    for (const words of [w.pass, w.doubt]) assert.ok(review.includes(words), `${language} claim review: "${words}" in\n${review}`);
  }
  await context.close();
});
