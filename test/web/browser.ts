import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureWebBuild } from '../../src/http/web-build.ts';

const require = createRequire(import.meta.url);
export const SCREENSHOTS = path.resolve(import.meta.dirname, '../../docs/screenshots');

/** Debian's Chromium, headless (DESIGN.md §2 "Browser"): never a downloaded browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** The built apps served by `app` on a loopback port, and a browser to open them: the origin and the browser. */
export async function serveToBrowser(app: FastifyInstance): Promise<{ origin: string; browser: Browser }> {
  await ensureWebBuild();
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { origin: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, browser: await launchChromium() };
}

export const PHONE_VIEWPORT = { width: 390, height: 844 };
export const DESKTOP_VIEWPORT = { width: 1366, height: 900 };

/** Runs axe-core on the page as it is and fails on any serious or critical violation (named, with its first targets). */
export async function assertAccessible(page: Page, screen: string): Promise<void> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const result = await (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run();
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], `${screen}: serious accessibility violations`);
}

/** Resolves once nothing in the element's modal (or the element) is animating: a zooming dialog has stood still. */
export async function standingStill(page: Page, selector: string): Promise<void> {
  // a string: the function runs in the page, whose DOM types this project does not compile against
  await page.waitForFunction(`(() => {
    const el = document.querySelector(${JSON.stringify(selector)});
    const root = el && (el.closest('.ant-modal-root') || el);
    return !!root && root.getAnimations({ subtree: true }).every((a) => a.playState !== 'running');
  })()`);
}

/** Resolves once nothing matching `selector` is displayed (however many there were): a toast or message has faded out and gone. */
export async function noneLeft(page: Page, selector: string): Promise<void> {
  await page.waitForFunction(`![...document.querySelectorAll(${JSON.stringify(selector)})].some((el) => el.getClientRects().length > 0)`);
}

/**
 * Presses a shortcut until what it opens is there: a key pressed before the page has attached its
 * listener is lost, and pressing the shortcut again is harmless. Bounded: a shortcut that never works fails.
 */
export async function pressUntil(page: Page, key: string, opened: ReturnType<Page['locator']>, tries = 20): Promise<void> {
  for (let i = 0; i < tries; i++) {
    await page.keyboard.press(key);
    if (await opened.waitFor({ timeout: 1_000 }).then(() => true, () => false)) return;
  }
  throw new Error(`pressing ${key} ${tries} times did not open ${opened}`);
}

/** Signs a merchant in through the app as a person would: phone, 获取验证码, the code the development SMS provider kept. */
export async function signInMerchant(page: Page, origin: string, phone: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.locator('#phone').fill(phone);
  await page.getByRole('button', { name: '获取验证码' }).click();
  await page.getByText('验证码已发送').waitFor();
  const { code } = (await (await fetch(`${origin}/v1/dev/otp?phone=${phone}`)).json()) as { code: string };
  await page.locator('#code').fill(code);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByTestId('available').waitFor();
}

/** A stop of the keyboard's focus: what it is and whether a person sees where it is. */
export interface FocusStop {
  what: string;
  visible: boolean;
}

/**
 * Presses Tab until the focus comes back to a control it already reached (or `max` presses), and says
 * of each control reached whether its focus shows: an outline on the control, which is
 * more than a few pixels wide (a visually hidden control's ring is seen by nobody), or on the label of
 * a hidden input.
 */
export async function tabThrough(page: Page, max = 60): Promise<FocusStop[]> {
  const stops: FocusStop[] = [];
  for (let presses = 0; presses < max; presses++) {
    await page.keyboard.press('Tab');
    // a string: the function runs in the page, whose DOM types this project does not compile against
    const stop = (await page.evaluate(`(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const seen = (window.__tabSeen ??= new WeakSet());
      if (seen.has(el)) return 'again';
      seen.add(el);
      const big = (e) => { const box = e.getBoundingClientRect(); return box.width >= 4 && box.height >= 4; };
      // a hidden input (a segmented control's radio) shows its focus on its label
      const shown = big(el) ? el : (el.labels && el.labels[0]) || el.closest('label');
      const s = shown && getComputedStyle(shown);
      // an outline, not a box shadow: a selected segment or a card carries a shadow focused or not
      const ring = !!s && s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
      const name = (el.getAttribute('aria-label') || el.textContent || el.getAttribute('placeholder') || (shown && shown.textContent) || el.id || '').trim().slice(0, 30);
      return { what: el.tagName.toLowerCase() + ' "' + name + '"', visible: ring && !!shown && big(shown) };
    })()`)) as FocusStop | 'again' | null;
    if (stop === 'again') break;
    if (stop) stops.push(stop);
  }
  await page.evaluate('delete window.__tabSeen');
  return stops;
}

/** Signs a member of staff in to the console (in Chinese, its first language) and waits for the dashboard. */
export async function signInStaff(page: Page, origin: string, who: { username: string; password: string }): Promise<void> {
  await page.goto(`${origin}/console/`);
  await page.getByLabel('用户名').fill(who.username);
  await page.getByLabel('密码').fill(who.password);
  await page.getByRole('button', { name: '登 录' }).or(page.getByRole('button', { name: '登录' })).click();
  await page.getByTestId('chart-claims').waitFor();
}
