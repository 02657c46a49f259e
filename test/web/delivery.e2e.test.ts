/**
 * What a phone and a reviewer's browser download before they can use the apps, measured in real
 * Chromium: the bytes transferred (compressed, headers included), the caching of each response, and
 * the time to a usable merchant sign-in on a throttled "slow 4G" connection.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/app.ts';
import { DESKTOP_VIEWPORT, PHONE_VIEWPORT, serveToBrowser } from './browser.ts';

const MERCHANT_FIRST_LOAD_BYTES = 200 * 1024;
const CONSOLE_SIGN_IN_BYTES = 300 * 1024;
// Lighthouse's "slow 4G": 150 ms round trips, 1.6 Mbit/s down, 750 kbit/s up
const SLOW_4G = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

let t: TestApp;
let browser: Browser;
let origin: string;
before(async () => {
  t = await createTestApp();
  ({ origin, browser } = await serveToBrowser(t.app));
});
after(async () => {
  await browser?.close();
  await t?.close();
});

interface Load {
  bytes: number;
  responses: { url: string; status: number; bytes: number; cacheControl: string; encoding: string }[];
}

/** Opens `path` in a fresh page and waits until `ready` shows and the network is quiet; counts every response. */
async function firstLoad(context: BrowserContext, path: string, ready: (page: Page) => Promise<void>): Promise<Load> {
  const page = await context.newPage();
  const seen: Promise<Load['responses'][number]>[] = [];
  page.on('response', (response: Response) =>
    seen.push(
      response.finished().then(async () => {
        const sizes = await response.request().sizes();
        const headers = await response.allHeaders();
        return { url: response.url(), status: response.status(), bytes: sizes.responseBodySize + sizes.responseHeadersSize, cacheControl: headers['cache-control'] ?? '', encoding: headers['content-encoding'] ?? '' };
      }),
    ),
  );
  await page.goto(`${origin}${path}`);
  await ready(page);
  await page.waitForLoadState('networkidle');
  const responses = await Promise.all(seen);
  await page.close();
  return { bytes: responses.reduce((sum, r) => sum + r.bytes, 0), responses };
}

function assertCaching(load: Load): void {
  for (const r of load.responses) {
    const pathname = new URL(r.url).pathname;
    if (pathname.startsWith('/v1/')) continue; // the API's own answers (who is signed in: nobody yet)
    assert.ok(r.status < 400, `${r.url} answered ${r.status}`);
    if (pathname.startsWith('/assets/')) {
      assert.equal(r.cacheControl, 'public, max-age=31536000, immutable', r.url);
      assert.match(r.encoding, /^(br|gzip)$/, `${r.url} is sent compressed`);
    } else assert.equal(r.cacheControl, 'no-cache', `${r.url}: a page is revalidated`);
  }
}

test('the merchant app first loads in at most 200 KB and the console sign-in in at most 300 KB; hashed assets are immutable, pages revalidated, a favicon is there', async () => {
  const phone = await browser.newContext({ viewport: PHONE_VIEWPORT, locale: 'zh-CN' });
  const merchant = await firstLoad(phone, '/', (page) => page.locator('#phone').waitFor());
  await phone.close();
  const desktop = await browser.newContext({ viewport: DESKTOP_VIEWPORT, locale: 'zh-CN' });
  const consoleSignIn = await firstLoad(desktop, '/console/', (page) => page.getByLabel('用户名').waitFor());
  await desktop.close();
  const encodings = (load: Load) => [...new Set(load.responses.map((r) => r.encoding).filter(Boolean))].join('/');
  console.log(
    `first load transferred: merchant app ${(merchant.bytes / 1024).toFixed(1)} KB in ${merchant.responses.length} responses (${encodings(merchant)}); ` +
      `console sign-in ${(consoleSignIn.bytes / 1024).toFixed(1)} KB in ${consoleSignIn.responses.length} (${encodings(consoleSignIn)})`,
  );
  assert.ok(merchant.bytes <= MERCHANT_FIRST_LOAD_BYTES, `merchant app first load ${merchant.bytes} bytes`);
  assert.ok(consoleSignIn.bytes <= CONSOLE_SIGN_IN_BYTES, `console sign-in ${consoleSignIn.bytes} bytes`);
  assertCaching(merchant);
  assertCaching(consoleSignIn);
  assert.ok(merchant.responses.some((r) => r.url.endsWith('/favicon.svg') && r.status === 200), 'the browser found the favicon');
});

test('on a slow 4G connection the merchant sign-in is usable within seconds', async () => {
  const context = await browser.newContext({ viewport: PHONE_VIEWPORT, locale: 'zh-CN' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  const started = performance.now();
  await page.goto(`${origin}/`);
  await page.locator('#phone').waitFor();
  await page.getByRole('button', { name: '获取验证码' }).waitFor();
  const usableMs = performance.now() - started;
  await context.close();
  console.log(`slow 4G (150 ms RTT, 1.6 Mbit/s): merchant sign-in usable after ${(usableMs / 1000).toFixed(2)} s`);
  // 200 KB at 1.6 Mbit/s is about a second, plus round trips: ten seconds would be a regression, not load
  assert.ok(usableMs < 10_000, `usable after ${usableMs.toFixed(0)} ms`);
});
