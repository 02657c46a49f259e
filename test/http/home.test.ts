import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ensureWebBuild } from '../../src/http/web-build.ts';
import { asOps, createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
before(async () => {
  await ensureWebBuild();
  t = await createTestApp();
});
after(async () => t.close());

test('GET / is the merchant app, /console/ the console, and the API documentation stays at /docs', async () => {
  const home = await t.app.inject({ method: 'GET', url: '/' });
  assert.equal(home.statusCode, 200);
  assert.match(String(home.headers['content-type']), /^text\/html/);
  assert.match(home.body, /<div id="root">/);
  assert.match(home.body, /lang="zh-CN"/);
  const console = await t.app.inject({ method: 'GET', url: '/console/' });
  assert.match(console.body, /运营后台/);
  assert.equal((await t.app.inject({ method: 'GET', url: '/console' })).headers.location, '/console/');
  const docs = await t.app.inject({ method: 'GET', url: '/docs/json', headers: asOps });
  assert.equal(docs.statusCode, 200);
  assert.ok(!Object.keys(docs.json().paths).some((p: string) => !p.startsWith('/v1') && !['/healthz', '/readyz', '/metrics'].includes(p)), 'the apps are not part of the API');
});

test("the apps' own paths answer their page; the server's paths and missing assets stay JSON 404s", async () => {
  const deep = await t.app.inject({ method: 'GET', url: '/claims/anything' });
  assert.equal(deep.statusCode, 200);
  assert.match(deep.body, /<div id="root">/);
  const consoleDeep = await t.app.inject({ method: 'GET', url: '/console/queue' });
  assert.match(consoleDeep.body, /运营后台/);
  for (const url of ['/v1/nothing', '/docs/nothing/here', '/metricsx/../v1/x', '/assets/missing.js']) {
    const res = await t.app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 404, url);
    assert.match(String(res.headers['content-type']), /json/, url);
  }
});
