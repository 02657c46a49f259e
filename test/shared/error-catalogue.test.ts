/**
 * The error catalogue is whole: every code the API's source can answer has words in both languages,
 * and every entry is still a code the API can answer. Codes are read from the source where errors
 * are made (ApiError, the Fastify and validation refusals, errorBody), as a reviewer would find them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { TRANSFER_ERRORS } from '../../src/ledger/types.ts';
import { ERROR_CATALOGUE, errorWords } from '../../src/shared/error-catalogue.ts';

const SRC = path.resolve(import.meta.dirname, '../../src');
const MADE_AT = [
  /new ApiError\(\s*\d{3},\s*'([a-z_]+)'/g, // thrown by routes
  /new ApiError\([^;]*?\? '([a-z_]+)' : '([a-z_]+)'/g, // one of two, by status
  /refuse\(\d{3}, '([a-z_]+)'/g, // Fastify's own errors and reviewers' approvals refused, in our shape
  /errorBody\('([a-z_]+)'/g, // written directly
  /new ApprovalRefused\('([a-z_]+)'/g, // approvals refused, answered with their code
  /new AuditRefused\('([a-z_]+)'/g, // audit decisions refused, answered with their code
  /new RulesetError\('([a-z_]+)'/g, // ruleset publishes refused, answered with their code
  /new FieldError\([^,]+, '([a-z_]+)'/g, // payment notifications refused field by field
  /PAID_BEFORE: [^=]+= \[([^\]]+)\]/g, // findings answered as they are ('already_reimbursed', …)
  /error: \{ code: '([a-z_]+)'/g, // a body written out (a refused import with its lines, a parked notification)
];
// files whose `code: '…'` literals are API error codes (validation of bodies and of enrolments)
const CODE_LITERALS_ARE_ERRORS = ['http/validation.ts', 'merchants/enrolment.ts'];

function codesInSource(): Map<string, string> {
  const found = new Map<string, string>();
  for (const name of fs.readdirSync(SRC, { recursive: true }) as string[]) {
    if (!name.endsWith('.ts')) continue;
    const text = fs.readFileSync(path.join(SRC, name), 'utf8');
    const patterns = CODE_LITERALS_ARE_ERRORS.includes(name) ? [...MADE_AT, /code: '([a-z_]+)'/g] : MADE_AT;
    for (const pattern of patterns)
      for (const m of text.matchAll(pattern)) for (const group of m.slice(1)) for (const code of group?.match(/[a-z_]+/g) ?? []) found.set(code, name);
  }
  // answered by a helper that takes the code from a constant
  if (/function tooMany\(/.test(fs.readFileSync(path.join(SRC, 'auth/routes.ts'), 'utf8'))) found.set('rate_limited', 'auth/routes.ts');
  // the ledger's refusals, answered as the error code of a transfer (ledger/routes.ts)
  for (const code of TRANSFER_ERRORS) found.set(code, 'ledger/types.ts');
  return found;
}

test('every error code the API can answer has words in Chinese and English', () => {
  const found = codesInSource();
  assert.ok(found.size >= 50, `the scan found ${found.size} codes: it still reads the source`);
  const missing = [...found].filter(([code]) => !(code in ERROR_CATALOGUE)).map(([code, file]) => `${code} (${file})`);
  assert.deepEqual(missing, [], 'codes the API answers that src/shared/error-catalogue.ts lacks');
});

test('every catalogue entry is a code the API can answer, with words in both languages', () => {
  const found = codesInSource();
  assert.deepEqual(Object.keys(ERROR_CATALOGUE).filter((code) => !found.has(code)), [], 'entries no code path answers any more');
  for (const [code, words] of Object.entries(ERROR_CATALOGUE)) {
    assert.match(words.zh, /[\u4e00-\u9fff]/, `${code}: the Chinese words are Chinese`);
    assert.doesNotMatch(words.en, /[\u4e00-\u9fff]/, `${code}: the English words are English`);
  }
});

test('words are chosen by language, and an unknown code has none', () => {
  assert.equal(errorWords('otp_invalid', 'zh-CN'), '验证码不正确，请重新输入。');
  assert.equal(errorWords('otp_invalid', 'en'), 'That code is not right. Please enter it again.');
  assert.equal(errorWords('no_such_code', 'zh-CN'), null);
  assert.equal(errorWords('toString', 'en'), null, 'no inherited property is a code');
});
