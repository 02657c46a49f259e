/**
 * The merchant app and the console in real headless Chromium against a real server, database,
 * claim pipeline and sandbox wallet. Also writes the README's screenshots (docs/screenshots).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { addStaffUser } from '../../src/auth/index.ts';
import { importEnrolments } from '../../src/merchants/store.ts';
import { noticeExpiringCredit } from '../../src/notifications/index.ts';
import { ingestPayments } from '../../src/payments/ingest.ts';
import { asOps } from '../support/app.ts';
import { createClaimsHarness, invoicePhoto, multipart, waitForClaim, type ClaimsHarness } from '../support/claims.ts';
import { earnAndCollect } from '../support/credit.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { withinOneBusinessDay } from '../support/business-day.ts';
import { enrolment, TEST_ID_HASH_KEY } from '../support/fixtures.ts';
import { notification, payerWallet } from '../support/payments.ts';
import { assertAccessible, DESKTOP_VIEWPORT, noneLeft, PHONE_VIEWPORT, pressUntil, SCREENSHOTS, serveToBrowser, signInMerchant, signInStaff, standingStill } from './browser.ts';

const DAY_MS = 86_400_000;
const REVIEWER = { username: 'reviewer.li', password: 'correct horse battery' };
const ADMIN = { username: 'admin.zhao', password: 'battery staple horse' };

let h: ClaimsHarness;
let browser: Browser;
let origin: string;

before(async () => {
  h = await createClaimsHarness();
  ({ origin, browser } = await serveToBrowser(h.app));
  await addStaffUser(h.db.pool, { username: REVIEWER.username, displayName: '李审核', role: 'reviewer', password: REVIEWER.password });
  await addStaffUser(h.db.pool, { username: ADMIN.username, displayName: '赵管理', role: 'admin', password: ADMIN.password });
});
after(async () => {
  await browser?.close();
  await h?.close();
});

/** Merchant n, named, with credit collected 40 days ago and `payersToday` payments today still waiting to be collected. */
async function merchant(n: number, name: string, payersToday: number) {
  const input = enrolment(n, { legalName: name });
  await importEnrolments(h.db.pool, [{ line: 2, input }], TEST_ID_HASH_KEY, { skipDuplicates: false });
  const { rows } = await h.db.pool.query<{ merchant_id: number }>('SELECT merchant_id FROM merchants WHERE wallet_user_id = $1', [input.walletUserId]);
  const id = rows[0]!.merchant_id;
  await earnAndCollect(h.db.pool, { id, walletUserId: input.walletUserId }, 5, new Date(Date.now() - 40 * DAY_MS));
  const now = new Date();
  await ingestPayments(
    h.db.pool,
    Array.from({ length: payersToday }, (_, i) => notification({ tradeNo: `E2E${id}x${i}`, sellerId: input.walletUserId, buyerId: payerWallet(id * 1000 + i), gmtPayment: now })),
  );
  return { id, phone: input.phone, legalName: name, walletUserId: input.walletUserId };
}



test('a merchant signs in, collects credit, photographs an invoice and watches it reach paid; in both languages', async () => {
  await withinOneBusinessDay(5 * 60_000); // the home screen counts today's payers: the whole test within one Shanghai day
  const m = await merchant(901, '张伟', 3);
  const context = await browser.newContext({ viewport: PHONE_VIEWPORT, locale: 'zh-CN', deviceScaleFactor: 2 });
  const page = await context.newPage();
  await signInMerchant(page, origin, m.phone);
  assert.equal(await page.getByTestId('available').textContent(), '¥12.00', '5 payers × ¥2 + the ¥2 welcome credit');
  assert.equal(await page.getByTestId('waiting').textContent(), '¥6.00');
  assert.equal(await page.getByTestId('payers').textContent(), '3 / 10 人');
  await page.getByRole('timer').waitFor();
  await page.getByText('验证码已发送').waitFor({ state: 'hidden' });
  await assertAccessible(page, 'merchant home');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'merchant-home.zh-CN.png'), fullPage: true });

  const [collected] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/credits:collect')), page.getByRole('button', { name: '领取' }).click()]);
  assert.equal(collected.status(), 200, await collected.text());
  await page.getByTestId('available').filter({ hasText: '¥18.00' }).waitFor();

  await page.getByText('报销', { exact: true }).click();
  const invoice = await invoicePhoto(31, m.legalName);
  await page.locator('#invoice-photos').setInputFiles({ name: 'invoice.jpg', mimeType: 'image/jpeg', buffer: invoice.image });
  await page.getByText('已选 1 页').waitFor();
  await assertAccessible(page, 'merchant claim');
  // the first answer is lost on the way back: the merchant taps again, the app retries with the same key
  const keys: (string | undefined)[] = [];
  await page.route('**/v1/claims', async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    if (keys.length > 1) return route.continue();
    await route.fetch();
    await route.abort('connectionreset');
  });
  await page.getByRole('button', { name: '提交报销' }).click();
  await page.getByRole('button', { name: '提交报销' }).and(page.locator(':not([disabled])')).waitFor();
  await page.getByRole('button', { name: '提交报销' }).click();
  await page.waitForURL(/#\/claims\/[0-9a-f-]{36}$/);
  await page.unroute('**/v1/claims');
  assert.equal(keys.length, 2);
  assert.ok(keys[0] && keys[0] === keys[1], `one Idempotency-Key for the tap and its retry: ${JSON.stringify(keys)}`);
  const made = await h.db.pool.query('SELECT count(*)::int AS n FROM claims WHERE merchant_id = $1', [m.id]);
  assert.equal(made.rows[0].n, 1, 'the retry made no second claim');
  await page.locator('[data-status="paid"]').waitFor({ timeout: 90_000 });
  const claimId = page.url().split('/').at(-1)!;
  const paid = (await h.app.inject({ method: 'GET', url: `/v1/claims/${claimId}`, headers: asOps })).json();
  assert.equal(paid.status, 'paid');
  assert.equal(h.sandbox.wallet(m.walletUserId), paid.paidFen, 'the money reached the wallet');
  await page.getByText('已批准报销').waitFor();
  // the arithmetic behind the amount, in the merchant's language
  const arithmetic = page.getByTestId('arithmetic');
  await arithmetic.getByText('报销金额怎么算').waitFor();
  await arithmetic.getByText(`¥${(paid.paidFen / 100).toFixed(2)}`, { exact: true }).first().waitFor();
  await page.screenshot({ path: path.join(SCREENSHOTS, 'merchant-claim-paid.zh-CN.png'), fullPage: true });

  // named by its hospital and visit day, not "claim progress"
  assert.ok(paid.invoice.hospitalName, 'the claim names its hospital');
  await page.getByTestId('claim-name').filter({ hasText: `${paid.invoice.hospitalName} · ` }).filter({ hasText: '就诊' }).waitFor();
  // its messages arrived while its own timeline was open: counted on the bell, not told again over the timeline
  await page.getByTestId('bell').filter({ hasText: /消息，[1-9][0-9]* 条未读/ }).waitFor();
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByTestId('claim-name').filter({ hasText: `${paid.invoice.hospitalName}, visit of ` }).waitFor();
  // the language's render came after the messages' own: any note they made would be there by now
  assert.equal(await page.getByTestId('live-note').count(), 0, 'no note over the claim the merchant is watching');
  await page.getByTestId('arithmetic').getByText('How the amount was worked out').waitFor();
  await page.getByText('Paid', { exact: true }).first().waitFor();
  await page.getByText('Home', { exact: true }).click();
  await page.getByText('Available credit').waitFor();
  await assertAccessible(page, 'merchant home (English)');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'merchant-home.en.png'), fullPage: true });
  await page.getByText('History', { exact: true }).click();
  // one line per event: the claim once (reserved, then paid: the same line), each earning once, each tap of Collect once
  const lines = page.getByTestId('history-line');
  const spent = lines.and(page.locator('[data-kind="spent"]'));
  await spent.filter({ hasText: 'Claim paid' }).filter({ hasText: `−¥${(paid.paidFen / 100).toFixed(2)}` }).waitFor();
  assert.equal(await spent.count(), 1, 'the claim is one line');
  assert.equal(await lines.and(page.locator('[data-kind="collected"]')).count(), 2, 'two collections: 40 days ago and today');
  assert.equal(await lines.and(page.locator('[data-kind="earned"][data-state="collected"]')).count(), 8, 'five payers then three, each one line, collected');
  assert.equal(await lines.filter({ hasText: '+¥2.00' }).count(), 9, 'the eight earnings and the welcome credit are the only additions');
  await lines.and(page.locator('[data-kind="collected"]')).filter({ hasText: '3 earning(s) moved to available credit' }).waitFor();
  assert.equal(await lines.filter({ hasText: claimId }).count(), 0, 'no raw ids');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'merchant-history.en.png'), fullPage: true });
  await page.getByRole('button', { name: '中文' }).click();
  await spent.filter({ hasText: '门诊报销' }).filter({ hasText: '已报销' }).waitFor();
  await lines.and(page.locator('[data-kind="collected"]')).filter({ hasText: '3 笔收款奖励转入可用额度' }).waitFor();
  await assertAccessible(page, 'merchant history');
  await spent.click();
  await page.waitForURL(new RegExp(`#/claims/${claimId}$`));
  await assertLotsMatchLedger(h.db.pool);
  await context.close();
});

test("a merchant cannot open another merchant's claim, in the app or at the API", async () => {
  const owner = await merchant(902, '王芳', 0);
  const other = await merchant(903, '李娜', 0);
  const invoice = await invoicePhoto(37, owner.legalName);
  const body = multipart([
    { field: 'merchantId', value: String(owner.id) },
    { field: 'invoice', filename: 'invoice.jpg', type: 'image/jpeg', bytes: invoice.image },
  ]);
  const claim = (await h.app.inject({ method: 'POST', url: '/v1/claims', headers: { ...asOps, ...body.headers }, payload: body.payload })).json();
  const context = await browser.newContext({ viewport: PHONE_VIEWPORT });
  const page = await context.newPage();
  await signInMerchant(page, origin, other.phone);
  const status = await page.evaluate(async (id) => (await fetch(`/v1/claims/${id}`)).status, claim.id);
  assert.equal(status, 404);
  await page.goto(`${origin}/#/claims/${claim.id}`);
  await page.getByText('还没有报销记录').waitFor();
  assert.equal(await page.locator('[data-testid="claim-status"]').count(), 0);
  await context.close();
  await waitForClaim(h.db.pool, claim.id, ['paid', 'rejected', 'in_review', 'photo_requested']);
});

/** A pharmacy receipt is not a hospital bill the machine may approve: its claim waits in review for a person. */
async function submittedReceipt(m: { id: number; legalName: string }, seed: number): Promise<string> {
  const invoice = await invoicePhoto(seed, m.legalName, { layout: 'pharmacy-receipt' });
  const body = multipart([
    { field: 'merchantId', value: String(m.id) },
    { field: 'invoice', filename: 'invoice.jpg', type: 'image/jpeg', bytes: invoice.image },
  ]);
  const claim = (await h.app.inject({ method: 'POST', url: '/v1/claims', headers: { ...asOps, ...body.headers }, payload: body.payload })).json();
  assert.equal(await waitForClaim(h.db.pool, claim.id, ['paid', 'rejected', 'in_review']), 'in_review');
  return claim.id;
}

test('a reviewer signs in to the console, approves a claim from the queue, and the dashboard charts the day', async () => {
  const m = await merchant(904, '刘洋', 0);
  const claim = { id: await submittedReceipt(m, 41) };
  // waiting behind it: opened by itself once the first is decided (the queue is oldest first)
  const second = await submittedReceipt(m, 42);

  const context = await browser.newContext({ viewport: DESKTOP_VIEWPORT, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${origin}/console/`);
  await assertAccessible(page, 'console sign-in');
  await signInStaff(page, origin, REVIEWER);
  await page.getByRole('menuitem', { name: '审核队列' }).click();
  // the claim's own row: its link names the claim (a merchant's short id would match other rows' cells)
  const claimLink = page.locator(`a[href="#/claims/${claim.id}"]`);
  await claimLink.waitFor();
  await assertAccessible(page, 'console queue');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'console-queue.zh-CN.png') });
  await claimLink.click();
  await page.getByRole('img', { name: 'invoice page 1' }).waitFor();
  // why it waits for a person, on top: the words of the event that sent it to review
  const { rows: sentHere } = await h.db.pool.query<{ zh: string }>('SELECT zh FROM claim_events WHERE claim_id = $1 ORDER BY event_no DESC LIMIT 1', [claim.id]);
  await page.getByTestId('why-here').filter({ hasText: sentHere[0]!.zh }).waitFor();
  await assertAccessible(page, 'console claim review');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'console-review.zh-CN.png'), fullPage: true });
  const decisionForm = page.locator('form').filter({ has: page.getByRole('button', { name: '批准 (A)' }) }); // the chooser's button is outside it
  await pressUntil(page, 'a', decisionForm);
  // a receipt prints no invoice code and names no registry hospital: the reviewer supplies what the
  // machine could not read, and the rules judge it (issue 20)
  await decisionForm.getByLabel('票据代码').fill('R0000041');
  await decisionForm.getByLabel('医院编号（名录）').fill('H110001');
  await decisionForm.getByLabel('可报销费用（元，扣除各项基金支付）').fill('5.00');
  await decisionForm.getByRole('button', { name: '批准 (A)' }).click();
  // the next claim waiting for a decision opens by itself
  await page.waitForURL(`${origin}/console/#/claims/${second}`);
  await page.locator('[data-testid="review-status"][data-status="in_review"]').filter({ hasText: '待审核' }).waitFor();
  assert.equal(await waitForClaim(h.db.pool, claim.id, ['paid', 'rejected']), 'paid');
  const audit = await h.db.pool.query("SELECT actor_kind, actor_id FROM audit_log WHERE action = 'claim.approve' AND subject_id = $1", [claim.id]);
  assert.equal(audit.rows.length, 1);
  assert.match(audit.rows[0].actor_id, /^reviewer:staff-\d+$/, 'the decision is audited under the console user');
  // the approved claim names its hospital from the registry, and its status in words
  const { rows: named } = await h.db.pool.query<{ name: string }>("SELECT name FROM hospitals WHERE hospital_id = 'H110001'");
  await page.goto(`${origin}/console/#/claims/${claim.id}`);
  await page.getByTestId('review-hospital').filter({ hasText: named[0]!.name }).waitFor();
  assert.doesNotMatch((await page.getByTestId('review-hospital').textContent())!, /H110001/);
  await page.getByTestId('review-status').filter({ hasText: '已到账' }).waitFor();

  // the merchant has its claims open on a phone: the approved one is named by its hospital
  const phone = await browser.newContext({ viewport: PHONE_VIEWPORT, locale: 'zh-CN' });
  const app = await phone.newPage();
  await signInMerchant(app, origin, m.phone);
  await app.getByText('报销', { exact: true }).click();
  await app.getByTestId('claim-item').filter({ hasText: named[0]!.name }).filter({ hasText: '已到账 ¥' }).waitFor();

  // by keyboard: R opens the rejection with its first reason, and Enter decides; nothing else waits
  const { rows: waiting } = await h.db.pool.query<{ claim_id: string }>("SELECT claim_id::text FROM claims WHERE status = 'in_review'");
  assert.deepEqual(waiting.map((r) => r.claim_id), [second], 'only the second claim waits for a decision');
  await page.goto(`${origin}/console/#/claims/${second}`);
  await page.getByRole('img', { name: 'invoice page 1' }).waitFor();
  const rejectButton = page.locator('form').getByRole('button', { name: '拒绝 (R)' });
  await pressUntil(page, 'r', rejectButton);
  await rejectButton.evaluate((el) => el === el.ownerDocument.activeElement || Promise.reject(new Error('the decide button is not focused')));
  await page.keyboard.press('Enter');
  await page.getByTestId('queue-empty').filter({ hasText: '待审核队列已清空' }).waitFor();
  await page.getByTestId('review-status').filter({ hasText: '已拒绝' }).waitFor();
  assert.equal(await waitForClaim(h.db.pool, second, ['paid', 'rejected']), 'rejected');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByTestId('queue-empty').filter({ hasText: 'The queue is empty' }).waitFor();
  await page.getByTestId('review-status').filter({ hasText: 'Rejected' }).waitFor();
  // antd spaces a button's two Chinese characters apart
  await page.getByRole('button', { name: /^中\s?文$/ }).click();

  // the merchant is told in one short line (not the timeline's words), which opens the refused claim, named
  const told = app.getByTestId('live-note').filter({ hasText: '报销有新进展：未通过' });
  await told.waitFor();
  await told.getByRole('link').click();
  await app.waitForURL(new RegExp(`#/claims/${second}$`));
  await app.locator('[data-testid="claim-status"][data-status="rejected"]').waitFor();
  const refusedName = (await app.getByTestId('claim-name').innerText()).trim();
  assert.match(refusedName, /\d{4}年\d{1,2}月\d{1,2}日(就诊|提交的报销)$/, 'named by its day, not "报销进度"');
  await app.getByRole('button', { name: 'English' }).click();
  await app.getByTestId('claim-name').filter({ hasText: /^(Visit of|Claim sent) / }).waitFor();
  await app.getByText('Claim', { exact: true }).click();
  await app.getByTestId('claim-item').filter({ hasText: /^(Visit of|Claim sent) / }).filter({ hasText: 'Rejected' }).waitFor();
  await phone.close();

  await page.getByRole('menuitem', { name: '数据看板' }).click();
  for (const chart of ['claims', 'automatic', 'timeToMoney', 'credits', 'enrolments', 'byCity']) {
    await page.locator(`[data-testid="chart-${chart}"] canvas`).waitFor();
  }
  // the decision's message gone: while it fades, its text has too little contrast for axe
  await noneLeft(page, '.ant-message-notice');
  await assertAccessible(page, 'console dashboard');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'console-dashboard.zh-CN.png'), fullPage: true });
  await context.close();
});

test('an admin adds a catalogue item in the console; a merchant redeems credit for it and is told live of credit about to expire', async () => {
  const m = await merchant(905, '陈静', 0);
  const consoleContext = await browser.newContext({ viewport: DESKTOP_VIEWPORT, locale: 'zh-CN' });
  const admin = await consoleContext.newPage();
  await signInStaff(admin, origin, ADMIN);
  await admin.getByRole('menuitem', { name: '兑换目录' }).click();
  await admin.getByRole('button', { name: '新增服务' }).click();
  const dialog = admin.getByRole('dialog');
  await dialog.getByLabel('SKU').fill('eye-exam');
  await dialog.getByLabel('中文名称').fill('视力检查');
  await dialog.getByLabel('英文名称').fill('Eye examination');
  await dialog.getByLabel('中文说明').fill('合作眼科门诊一次视力检查');
  await dialog.getByLabel('价格（元额度）').fill('3.50');
  // the first save's answer is lost; saving again is a retry of the same action, with the same key
  const keys: (string | undefined)[] = [];
  await admin.route('**/v1/catalogue/items', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    keys.push(route.request().headers()['idempotency-key']);
    if (keys.length > 1) return route.continue();
    await route.fetch();
    await route.abort('connectionreset');
  });
  const save = dialog.getByRole('button', { name: '保 存' }).or(dialog.getByRole('button', { name: '保存' }));
  await save.click();
  await admin.getByText('已保存').or(admin.locator('.ant-message-error')).first().waitFor();
  await save.click();
  await admin.getByRole('cell', { name: 'eye-exam', exact: true }).waitFor();
  await admin.unroute('**/v1/catalogue/items');
  assert.equal(keys.length, 2);
  assert.ok(keys[0] && keys[0] === keys[1], `one Idempotency-Key for the save and its retry: ${JSON.stringify(keys)}`);
  await admin.getByText('已保存').waitFor({ state: 'hidden' });
  await assertAccessible(admin, 'console catalogue');
  await admin.screenshot({ path: path.join(SCREENSHOTS, 'console-catalogue.zh-CN.png') });
  const audit = await h.db.pool.query<{ actor_id: string; details: { after: { priceFen: number } } }>("SELECT actor_id, details FROM audit_log WHERE action = 'catalogue.add_item'");
  assert.equal(audit.rows.length, 1);
  assert.match(audit.rows[0]!.actor_id, /^ops:staff-\d+$/, 'the change is audited under the console admin');
  assert.equal(audit.rows[0]!.details.after.priceFen, 350);

  await admin.getByRole('menuitem', { name: '商户' }).click();
  await admin.getByLabel('钱包用户号、手机号、商户号或姓名开头').fill(m.phone);
  await admin.keyboard.press('Enter');
  await admin.getByRole('link', { name: m.legalName }).click();
  await admin.getByText('额度流水').waitFor();
  await admin.getByRole('cell', { name: '领取额度', exact: true }).first().waitFor(); // the ledger's codes in words
  await admin.mouse.move(0, 0); // a hovered link has the lighter hover colour
  await assertAccessible(admin, 'console merchant');
  for (const [menu, ready] of [
    ['医院名录', '北京协和医院'],
    ['规则', '当前生效'],
    ['打款', '对账提醒'],
    ['运维', '死信任务'],
  ] as const) {
    await admin.getByRole('menuitem', { name: menu }).click();
    await admin.getByText(ready).first().waitFor();
    await admin.locator('.ant-spin-spinning').first().waitFor({ state: 'detached' });
    await assertAccessible(admin, `console ${menu}`);
  }
  await consoleContext.close();

  const context = await browser.newContext({ viewport: PHONE_VIEWPORT, locale: 'zh-CN', deviceScaleFactor: 2 });
  const page = await context.newPage();
  await signInMerchant(page, origin, m.phone);
  await page.getByText('兑换', { exact: true }).click();
  await page.getByTestId('shop-available').filter({ hasText: '¥12.00' }).waitFor();
  // the button says what it does and what it costs, and names the item to a screen reader
  const buy = page.getByRole('button', { name: '兑换 视力检查 ¥3.50' });
  assert.match((await buy.innerText()).replace(/\s+/g, ' ').trim(), /^兑换 .*¥3\.50$/);
  await buy.click();
  const [ordered] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/catalogue-orders') && r.request().method() === 'POST'), page.getByRole('dialog').getByRole('button', { name: '兑换' }).click()]);
  assert.equal(ordered.status(), 201, await ordered.text());
  await page.getByTestId('shop-available').filter({ hasText: '¥8.50' }).waitFor();
  // what was bought, by name, and how to use it: the order's code to show
  const code = ((await ordered.json()) as { id: string }).id.replaceAll('-', '').slice(0, 8).toUpperCase();
  const bought = page.getByRole('dialog').filter({ hasText: '已兑换「视力检查」' });
  await bought.getByTestId('how-to-use').filter({ hasText: `兑换码 ${code}：到服务机构出示此兑换码即可使用` }).waitFor();
  await bought.getByRole('button', { name: '知道了' }).click();
  await page.locator('.adm-center-popup-wrap').waitFor({ state: 'detached' });
  await page.getByTestId('order').filter({ hasText: '视力检查' }).filter({ hasText: `兑换码 ${code}` }).filter({ hasText: '−¥3.50' }).waitFor();
  // the sign-in's toast (验证码已发送) gone: while it fades, its text has too little contrast for axe
  await noneLeft(page, '.adm-toast-mask');
  await assertAccessible(page, 'merchant catalogue');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'merchant-catalogue.zh-CN.png'), fullPage: true });
  const transfers = (await h.app.inject({ method: 'GET', url: `/v1/merchants/${m.id}/transfers`, headers: asOps })).json();
  assert.deepEqual(transfers.data.filter((x: { code: string }) => x.code === 'redeem').map((x: { amountFen: number }) => x.amountFen), [350]);
  await assertLotsMatchLedger(h.db.pool);

  // the app is open on the catalogue: a notice of expiring credit arrives without a reload
  const { rows } = await h.db.pool.query<{ expires_at: Date }>("SELECT min(expires_at) AS expires_at FROM credit_lots WHERE merchant_id = $1 AND state = 'available'", [m.id]);
  assert.ok((await noticeExpiringCredit(h.db.pool, new Date(rows[0]!.expires_at.getTime() - 20 * DAY_MS))) >= 1);
  const bell = page.getByTestId('bell');
  await bell.filter({ hasText: '消息，1 条未读' }).waitFor();
  // told in one line under the bar, in the page's flow: the shop below it is moved down, not covered
  const note = page.getByTestId('live-note').filter({ hasText: '¥8.50 额度将于' });
  await note.waitFor();
  const [noteBox, contentBox] = [await note.boundingBox(), await page.locator('main.content').boundingBox()];
  assert.ok(noteBox && contentBox && noteBox.y + noteBox.height <= contentBox.y + 0.5, `the note ${JSON.stringify(noteBox)} sits above the content ${JSON.stringify(contentBox)}`);
  await bell.click();
  await page.getByTestId('notification').filter({ hasText: '¥8.50 额度将于' }).waitFor();
  await bell.filter({ hasText: '消息，0 条未读' }).waitFor();
  await assertAccessible(page, 'merchant notifications');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'merchant-notifications.zh-CN.png'), fullPage: true });
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByText('Redeem', { exact: true }).click();
  await page.getByRole('button', { name: 'Redeem Eye examination ¥3.50' }).waitFor();
  await page.getByTestId('order').filter({ hasText: `Code ${code}: show this code where the service is given` }).waitFor();
  await context.close();
});

test("an admin corrects a hospital's grade, imports a registry file (a faulty one is refused line by line) and runs a dead job again, all audited", async () => {
  const context = await browser.newContext({ viewport: DESKTOP_VIEWPORT, locale: 'zh-CN' });
  const admin = await context.newPage();
  await signInStaff(admin, origin, ADMIN);
  // the first, unfiltered page answers only after the search's: it must not replace the search's rows
  let releaseFirstPage!: () => void;
  const firstPageHeld = new Promise<void>((resolve) => (releaseFirstPage = resolve));
  await admin.route(/\/v1\/hospitals\?limit=50$/, async (route) => {
    await firstPageHeld;
    await route.continue();
  });
  await admin.getByRole('menuitem', { name: '医院名录' }).click();
  await admin.getByLabel('名称、别名或编号').fill('H110002');
  await admin.keyboard.press('Enter');
  await admin.getByRole('row').filter({ hasText: 'H110002' }).waitFor();
  const lateFirstPage = admin.waitForResponse(/\/v1\/hospitals\?limit=50$/);
  releaseFirstPage();
  await lateFirstPage;
  await admin.unroute(/\/v1\/hospitals\?limit=50$/);
  assert.equal(await admin.locator('.ant-table-tbody tr.ant-table-row').count(), 1, 'only the searched hospital is listed');
  await admin.getByRole('button', { name: '编辑 北京大学第一医院' }).click();
  const dialog = admin.getByRole('dialog');
  // the dialog zooms in: a click that does not wait for it to stand still can miss the select
  await dialog.waitFor();
  await standingStill(admin, '.ant-modal-root .ant-modal');
  await dialog.locator('.ant-form-item').filter({ hasText: '等级' }).locator('.ant-select-selector').click();
  await admin.locator('.ant-select-item-option').filter({ hasText: /^2A$/ }).click();
  await dialog.getByRole('button', { name: '保 存' }).or(dialog.getByRole('button', { name: '保存' })).click();
  await admin.getByText('已保存，之后的理赔按新信息检查').waitFor();
  const { rows: changed } = await h.db.pool.query<{ grade: string }>("SELECT grade FROM hospitals WHERE hospital_id = 'H110002'");
  assert.deepEqual(changed, [{ grade: '2A' }]);
  // the list shows the saved grade (not an answer to the search that was still on its way)
  await admin.getByRole('row').filter({ hasText: 'H110002' }).getByText('2A', { exact: true }).waitFor();

  const upload = admin.locator('input[type=file]');
  const csv = (lines: string[]) => ({ name: 'hospitals.csv', mimeType: 'text/csv', buffer: Buffer.from(['id,name,aliases,province,city,grade,ownership,type', ...lines].join('\n') + '\n') });
  await upload.setInputFiles(csv(['H440999,广州市测试人民医院,测试医院,广东省,广州市,3A,public,general']));
  await admin.getByText('导入完成：新增 1 家').waitFor();
  await upload.setInputFiles(csv(['H440998,广州市另一医院,,广东省,广州市,9Z,public,general', 'H440997,广州市第三医院,,广东省,广州市,2A,state,general']));
  const refused = admin.getByRole('alert').filter({ hasText: '文件未导入' });
  await refused.getByText(/^第 2 行：/).waitFor();
  await refused.getByText(/^第 3 行：/).waitFor();
  const { rows: imported } = await h.db.pool.query<{ hospital_id: string }>("SELECT hospital_id FROM hospitals WHERE hospital_id LIKE 'H44099_' ORDER BY 1");
  assert.deepEqual(imported, [{ hospital_id: 'H440999' }], 'the faulty file wrote nothing');

  // a job that used every attempt (its claim is gone: run again, it finds nothing to do and ends)
  // (due tomorrow, so that the running workers leave it to be made dead; the retry makes it due now)
  await h.db.pool.query(
    "SELECT graphile_worker.add_job('claim_recognize', json_build_object('merchantId', 1, 'claimId', gen_random_uuid()), run_at => now() + interval '1 day', max_attempts => 3, job_key => 'e2e:dead')",
  );
  const dead = await h.db.pool.query("UPDATE graphile_worker._private_jobs SET attempts = 3, last_error = 'the file store was unreachable' WHERE key = 'e2e:dead'");
  assert.equal(dead.rowCount, 1);
  await admin.getByRole('menuitem', { name: '运维' }).click();
  await admin.getByText('the file store was unreachable').waitFor();
  await assertAccessible(admin, 'console operations with a dead job');
  await admin.getByRole('button', { name: /^重新执行 claim_recognize/ }).click();
  await admin.getByText('任务 claim_recognize 已重新排队').waitFor();
  for (let i = 0; ; i++) {
    const { rows } = await h.db.pool.query("SELECT 1 FROM graphile_worker._private_jobs WHERE key = 'e2e:dead'");
    if (rows.length === 0) break;
    assert.ok(i < 100, 'the retried job ran and ended within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const { rows: audit } = await h.db.pool.query<{ action: string }>("SELECT action FROM audit_log WHERE action IN ('hospital.change', 'hospital.import', 'job.retry') ORDER BY audit_id");
  assert.deepEqual(audit.map((a) => a.action), ['hospital.change', 'hospital.import', 'job.retry']);
  await context.close();
});
