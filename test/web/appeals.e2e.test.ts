/**
 * Appeals in real headless Chromium, in both languages: on a phone, a merchant appeals a refused
 * claim (申诉) with a message and a new photo; in the console, a reviewer other than the one who
 * refused sees the appeal with the claim's whole history and upholds it; the merchant sees the
 * money paid and the reviewer's reason. Writes the screenshots of the appeal (docs/screenshots).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { addStaffUser } from '../../src/auth/index.ts';
import { localFileStore } from '../../src/storage/index.ts';
import { asOps } from '../support/app.ts';
import { createClaimsHarness, invoicePhoto, waitForClaim, type ClaimsHarness } from '../support/claims.ts';
import { assertLotsMatchLedger } from '../support/credit-invariants.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';
import { namedMerchantWithCredit, readInvoice, storedClaim } from '../claims/stored-claims.ts';
import { assertAccessible, DESKTOP_VIEWPORT, PHONE_VIEWPORT, SCREENSHOTS, serveToBrowser, signInMerchant, signInStaff } from './browser.ts';
const REVIEWER = { username: 'reviewer.wang', password: 'staple horse battery' };

let h: ClaimsHarness;
let browser: Browser;
let origin: string;

before(async () => {
  h = await createClaimsHarness();
  ({ origin, browser } = await serveToBrowser(h.app));
  await addStaffUser(h.db.pool, { username: REVIEWER.username, displayName: '王审核', role: 'reviewer', password: REVIEWER.password });
});
after(async () => {
  await browser?.close();
  await h?.close();
});

/** What each screen says, in each language (written out here, not read from the apps' translations). */
const WORDS = {
  'zh-CN': {
    seed: 31,
    name: '王芳',
    appeal: '申诉',
    message: '申诉理由',
    pages: '已选 1 页',
    submit: '提交申诉',
    waiting: '另一位审核员正在复核',
    panel: '商户申诉',
    refusedEvent: '审核未通过。',
    appealedEvent: '已收到您的申诉',
    approve: '批准 (A)',
    toMerchant: '给商户的留言（可选）',
    upheld: '申诉通过：',
    upheldCount: '申诉通过',
  },
  en: {
    seed: 37,
    name: '李娜',
    appeal: 'Appeal',
    message: 'Why you appeal',
    pages: '1 page(s) selected',
    submit: 'Send appeal',
    waiting: 'Another reviewer is deciding it',
    panel: "The merchant's appeal",
    refusedEvent: 'Rejected by a reviewer.',
    appealedEvent: 'Your appeal was received',
    approve: 'Approve (A)',
    toMerchant: 'Message to the merchant (optional)',
    upheld: 'Appeal upheld: ',
    upheldCount: 'Upheld',
  },
} as const;

for (const [language, w] of Object.entries(WORDS)) {
  test(`a refused claim is appealed on a phone, upheld by another reviewer in the console, and paid; in ${language}`, async () => {
    const m = await namedMerchantWithCredit(h.db.pool, language === 'en' ? 952 : 951, w.name);
    // refused by the ops key: the console's reviewer is another person
    // the refused photo: too dark to read (a real image, shown to the reviewer beside the appeal)
    const blurred = await sharp({ create: { width: 300, height: 400, channels: 3, background: language === 'en' ? '#2a2a2a' : '#262626' } }).jpeg().toBuffer();
    await localFileStore(h.filesDir).put(blurred);
    const claimId = await storedClaim(h.db.pool, m, { read: readInvoice(m), photo: blurred, phash: null });
    const refused = await h.app.inject({ method: 'POST', url: `/v1/review/claims/${claimId}/decision`, headers: asOps, payload: { action: 'reject', reasonCode: 'photo_unreadable' } });
    assert.equal(refused.statusCode, 200, refused.body);

    const phone = await browser.newContext({ viewport: PHONE_VIEWPORT, locale: language, deviceScaleFactor: 2 });
    const app = await phone.newPage();
    await signInMerchant(app, origin, m.phone);
    if (language === 'en') await app.getByRole('button', { name: 'English' }).click();
    await app.goto(`${origin}/#/claims/${claimId}`);
    await app.locator('[data-testid="claim-status"][data-status="rejected"]').waitFor();
    await app.getByRole('button', { name: w.appeal, exact: true }).click();
    const reason = language === 'en' ? 'The first photo was blurred; this one is clear.' : '第一次照片模糊，这是清晰的原件照片。';
    await app.getByLabel(w.message).fill(reason);
    const invoice = await invoicePhoto(w.seed, m.legalName);
    await app.locator('#invoice-photos').setInputFiles({ name: 'invoice.jpg', mimeType: 'image/jpeg', buffer: invoice.image });
    await app.getByText(w.pages).waitFor();
    const [sent] = await Promise.all([app.waitForResponse((r) => r.url().endsWith(`/v1/claims/${claimId}/appeal`)), app.getByRole('button', { name: w.submit }).click()]);
    // the app reloads the claim on success: the answer's body is gone by then, its status is not
    assert.equal(sent.status(), 201);
    assert.ok(sent.request().headers()['idempotency-key'], 'the appeal carries an Idempotency-Key');
    // read, then waiting for another reviewer; the appeal is shown, and no second one is offered
    await app.locator('[data-testid="claim-status"][data-status="appeal_review"]').waitFor({ timeout: 90_000 });
    await app.getByTestId('appeal').filter({ hasText: reason }).filter({ hasText: w.waiting }).waitFor();
    assert.equal(await app.getByRole('button', { name: w.appeal, exact: true }).count(), 0, 'a claim is appealed once');
    await assertAccessible(app, `merchant appeal (${language})`);
    if (language === 'zh-CN') await app.screenshot({ path: path.join(SCREENSHOTS, 'merchant-appeal.zh-CN.png'), fullPage: true });

    const desk = await browser.newContext({ viewport: DESKTOP_VIEWPORT, locale: language });
    const console = await desk.newPage();
    await signInStaff(console, origin, REVIEWER);
    if (language === 'en') await console.getByRole('button', { name: 'English' }).click();
    await console.goto(`${origin}/console/#/claims/${claimId}`);
    await console.locator('[data-testid="review-status"][data-status="appeal_review"]').waitFor();
    // the appeal beside the claim, with the refused photo, and the whole history in the timeline
    const panel = console.getByTestId('review-appeal');
    await panel.filter({ hasText: w.panel }).filter({ hasText: reason }).filter({ hasText: 'photo_unreadable' }).waitFor();
    await panel.getByRole('img', { name: 'refused page 1' }).waitFor();
    await console.getByText(w.refusedEvent, { exact: false }).first().waitFor();
    await console.getByText(w.appealedEvent, { exact: false }).first().waitFor();
    if (language === 'zh-CN') await console.screenshot({ path: path.join(SCREENSHOTS, 'console-appeal.zh-CN.png'), fullPage: true });
    await console.getByRole('button', { name: w.approve }).first().click();
    const form = console.locator('form').filter({ has: console.getByRole('button', { name: w.approve }) });
    const why = language === 'en' ? 'The new photo is clear and the bill is genuine.' : '新照片清晰，票据真实有效。';
    await form.getByLabel(w.toMerchant).fill(why);
    const [decided] = await Promise.all([console.waitForResponse((r) => r.url().endsWith(`/v1/review/claims/${claimId}/decision`)), form.getByRole('button', { name: w.approve }).click()]);
    assert.equal(decided.status(), 200, await decided.text());
    assert.equal(await waitForClaim(h.db.pool, claimId, ['paid', 'in_review']), 'paid');
    // the dashboard counts the appeals and how they were decided (this test's, and the other language's before it)
    const { rows: counted } = await h.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM claim_appeals WHERE outcome = 'approved'");
    await console.goto(`${origin}/console/#/dashboard`);
    await console.getByTestId('chart-appeals').waitFor();
    await console.getByTestId('appeals-total').filter({ hasText: new RegExp(`${counted[0]!.n}\\s*·\\s*${w.upheldCount} ${counted[0]!.n}`) }).waitFor();

    // the merchant, watching: paid, and told why in the reviewer's words
    await app.locator('[data-testid="claim-status"][data-status="paid"]').waitFor();
    await app.getByTestId('appeal-outcome').filter({ hasText: `${w.upheld}${why}` }).waitFor();
    assert.ok(h.sandbox.wallet(m.walletUserId) > 0, 'the money reached the wallet');
    await assertLedgerInvariants(h.db.pool);
    await assertLotsMatchLedger(h.db.pool);
    await desk.close();
    await phone.close();
  });
}
