/** The merchant's history, one line per event: hand-written ledger pages and the lines a merchant should read. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { historyLines, type HistoryTransfer } from '../../web/shared/history.ts';

const CLAIM = '6f1c2d3e-0000-4000-8000-000000000001';
let n = 0;
function transfer(code: string, amountFen: number, createdAt: string, extra: Partial<HistoryTransfer> = {}): HistoryTransfer {
  n += 1;
  return { id: `t${n}`, amountFen, code, phase: 'single', pendingId: null, reference: null, createdAt, ...extra };
}

// one merchant's week, oldest first as it happened; the API pages it newest first
const earnA = transfer('accrual', 200, '2026-11-13T02:00:00.000Z', { reference: 'TRADE-A' });
const welcomeA = transfer('welcome', 200, '2026-11-13T02:00:00.000Z', { reference: 'TRADE-A' });
const earnB = transfer('accrual', 200, '2026-11-13T03:00:00.000Z', { reference: 'TRADE-B' });
const earnC = transfer('accrual', 200, '2026-11-13T04:00:00.000Z', { reference: 'TRADE-C' });
const collectA = transfer('collect', 200, '2026-11-13T12:00:00.000Z', { reference: 'TRADE-A' });
const collectWelcomeA = transfer('collect', 200, '2026-11-13T12:00:00.000Z', { reference: 'TRADE-A' });
const collectB = transfer('collect', 200, '2026-11-13T12:00:00.000Z', { reference: 'TRADE-B' });
const lapseC = transfer('lapse', 200, '2026-11-15T04:00:00.000Z', { reference: 'TRADE-C' });
const reserve = transfer('spend', 13_002, '2026-11-16T05:00:00.000Z', { phase: 'pending', reference: CLAIM });
const post = transfer('spend', 13_002, '2026-11-16T05:00:07.000Z', { phase: 'post', pendingId: reserve.id, reference: CLAIM });
const earnD = transfer('accrual', 200, '2026-11-17T02:00:00.000Z', { reference: 'TRADE-D' });
const redeem = transfer('redeem', 3_000, '2026-11-18T02:00:00.000Z', { reference: 'order-1' });
const expire1 = transfer('expire', 150, '2026-11-19T16:00:00.000Z', { reference: 'TRADE-X' });
const expire2 = transfer('expire', 50, '2026-11-19T16:00:00.000Z', { reference: 'TRADE-Y' });
const week = [earnA, welcomeA, earnB, earnC, collectA, collectWelcomeA, collectB, lapseC, reserve, post, earnD, redeem, expire1, expire2];
const newestFirst = [...week].reverse();

test('each event is one line: an earning, a collection of several, a claim paid, a purchase, a sweep; nothing counted twice', () => {
  assert.deepEqual(
    historyLines(newestFirst).map((l) => [l.kind, l.sign * l.amountFen, l.state, l.count]),
    [
      ['expired', -200, null, 2],
      ['redeemed', -3_000, null, 1],
      ['earned', 200, 'waiting', 1],
      ['spent', -13_002, 'paid', 1],
      // one tap of 领取 took in three earnings: one line, which moves credit and adds none
      ['collected', 0, null, 3],
      // TRADE-C lapsed: one line, its state says so, and it adds nothing
      ['earned', 0, 'lapsed', 1],
      ['earned', 200, 'collected', 1],
      ['welcome', 200, 'collected', 1],
      ['earned', 200, 'collected', 1],
    ],
  );
});

test('a claim: reserved is one line in progress; once paid the same line (same key, same time) says paid', () => {
  const before = historyLines([reserve]);
  assert.deepEqual(before.map((l) => [l.key, l.at, l.state, l.sign * l.amountFen, l.claimId]), [[reserve.id, reserve.createdAt, 'in_progress', -13_002, CLAIM]]);
  const afterPost = historyLines([post, reserve]);
  assert.deepEqual(afterPost.map((l) => [l.key, l.at, l.state, l.sign * l.amountFen, l.claimId]), [[reserve.id, reserve.createdAt, 'paid', -13_002, CLAIM]]);  // paid less than it held (the payout was for less): the line says what was spent
  const partly = transfer('spend', 10_000, '2026-11-16T05:00:09.000Z', { phase: 'post', pendingId: reserve.id, reference: CLAIM });
  assert.deepEqual(historyLines([partly, reserve]).map((l) => [l.state, l.sign * l.amountFen]), [['paid', -10_000]]);
  // in whichever order the phases come
  assert.deepEqual(historyLines([reserve, partly]).map((l) => [l.key, l.state, l.sign * l.amountFen]), [[reserve.id, 'paid', -10_000]]);
});

test('a claim that paid nothing gives its credit back: one line, released, taking nothing', () => {
  const voided = transfer('spend', 13_002, '2026-11-16T05:01:00.000Z', { phase: 'void', pendingId: reserve.id, reference: CLAIM });
  assert.deepEqual(historyLines([voided, reserve]).map((l) => [l.key, l.state, l.sign, l.amountFen]), [[reserve.id, 'released', 0, 13_002]]);
  // the reservation timed out by the ledger: voided under its own code, still the same event
  const timedOut = transfer('pending_expired', 13_002, '2026-11-17T05:00:00.000Z', { phase: 'void', pendingId: reserve.id });
  assert.deepEqual(historyLines([timedOut, reserve]).map((l) => [l.state, l.claimId]), [['released', CLAIM]]);
});

test('a page boundary: the post before its reservation is loaded stands alone, and merges when the older page comes', () => {
  const firstPage = historyLines([post]);
  assert.deepEqual(firstPage.map((l) => [l.kind, l.state, l.sign * l.amountFen]), [['spent', 'paid', -13_002]]);
  assert.equal(historyLines([post, earnD, reserve]).filter((l) => l.kind === 'spent').length, 1);
});

test('a lapse whose earning is on a page not loaded yet is shown as a lapse; a refund taken back from several places is one line', () => {
  assert.deepEqual(historyLines([lapseC]).map((l) => [l.kind, l.sign * l.amountFen]), [['lapsed', -200]]);
  const fromPending = transfer('clawback', 120, '2026-11-20T01:00:00.000Z', { reference: 'TRADE-A' });
  const intoDebt = transfer('clawback_debt', 80, '2026-11-20T01:00:00.000Z', { reference: 'TRADE-A' });
  assert.deepEqual(historyLines([intoDebt, fromPending]).map((l) => [l.kind, l.sign * l.amountFen, l.tradeNo]), [['taken_back', -200, 'TRADE-A']]);
});

test("an audit's overpayment taken back from credit and into debt is one line, on its claim, taking credit away", () => {
  const fromCredit = transfer('audit_recovery', 300, '2026-11-21T02:00:00.000Z', { reference: 'claim-1' });
  const asDebt = transfer('audit_recovery_debt', 100, '2026-11-21T02:00:00.000Z', { reference: 'claim-1' });
  assert.deepEqual(historyLines([asDebt, fromCredit]).map((l) => [l.kind, l.sign * l.amountFen, l.claimId]), [['audit_recovered', -400, 'claim-1']]);
});
