/** Errors read in the app's own language, by code (a Chinese app never shows the API's English sentence). */
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { addStaffUser } from '../../src/auth/index.ts';
import { ERROR_CATALOGUE } from '../../src/shared/error-catalogue.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { enrolMerchants, enrolment } from '../support/fixtures.ts';
import { pngChunk } from '../support/png.ts';
import { DESKTOP_VIEWPORT, PHONE_VIEWPORT, serveToBrowser, signInMerchant } from './browser.ts';

let t: TestApp;
let browser: Browser;
let origin: string;
before(async () => {
  t = await createTestApp();
  ({ origin, browser } = await serveToBrowser(t.app));
  await enrolMerchants(t.db.pool, 3, 61); // a phone gets one code a minute: one merchant a test
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
  // (end-anchored: after a refusal antd keeps the spinner's leaving icon, named "loading", in the button for a while)
  await signIn(/登\s?录$/);
  await page.getByRole('alert').filter({ hasText: ERROR_CATALOGUE.wrong_credentials.zh }).waitFor();
  await page.getByRole('button', { name: 'English' }).click();
  await signIn(/Sign in$/);
  await page.getByRole('alert').filter({ hasText: ERROR_CATALOGUE.wrong_credentials.en }).waitFor();
  assert.equal(await page.getByText('unknown username or wrong password').count(), 0);
  await context.close();
});

/** A small real PNG (grey, 8 × 8): a picture any browser decodes. */
function smallPng(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(8, 0);
  header.writeUInt32BE(8, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(0, 9); // greyscale
  const rows = Buffer.concat(Array.from({ length: 8 }, () => Buffer.from([0, ...Array(8).fill(128)])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', header), pngChunk('IDAT', zlib.deflateSync(rows)), pngChunk('IEND', Buffer.alloc(0))]);
}

test('a file that is not a picture, and pages past six, are refused when chosen, saying so in the app\'s language', async () => {
  const context = await browser.newContext({ viewport: PHONE_VIEWPORT, locale: 'zh-CN' });
  const page = await context.newPage();
  await signInMerchant(page, origin, enrolment(63).phone);
  await page.getByRole('link', { name: '报销', exact: true }).click();
  const picture = smallPng();
  await page.locator('#invoice-photos').setInputFiles([
    { name: 'note.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('this is text, named as a photo') },
    { name: 'readme.txt', mimeType: 'text/plain', buffer: Buffer.from('plain text') },
    ...Array.from({ length: 7 }, (_, i) => ({ name: `page-${i + 1}.png`, mimeType: 'image/png', buffer: picture })),
  ]);
  // the toast, in Chinese, names the files that are not pictures and the page past six
  await page.getByText('note.jpg、readme.txt 不是图片，未添加：请拍摄或选择票据照片').waitFor();
  await page.getByText('一次最多 6 页，多出的 1 页未添加').waitFor();
  await page.getByText('已选 6 页').waitFor();
  assert.equal(await page.locator('.thumbs img').count(), 6, 'six thumbnails, none broken');
  await page.getByRole('button', { name: 'English' }).click();
  await page.locator('#invoice-photos').setInputFiles([{ name: 'scan.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a JPEG') }]);
  await page.getByText('scan.jpg: not a picture, not added. Take or choose a photo of the invoice').waitFor();
  await page.getByText('6 page(s) selected').waitFor();
  await context.close();
});
