import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planClawback, planCollect, type Lot } from '../../src/points/plan.ts';

function lot(lotId: string, overrides: Partial<Lot>): Lot {
  return {
    lotId,
    merchantId: 1,
    tradeNo: 'T1',
    kind: 'payer',
    amountFen: 200,
    state: 'available',
    earnedAt: new Date('2026-03-02T02:00:00Z'),
    collectBy: new Date('2026-03-04T02:00:00Z'),
    collectedAt: new Date('2026-03-02T03:00:00Z'),
    expiresAt: new Date('2026-09-01T16:00:00Z'),
    remainingFen: 200,
    lostFen: 0,
    ...overrides,
  };
}

test('collect: debt first, then up to the cap, the rest forfeited, oldest lot first', () => {
  const older = lot('a', { state: 'pending', earnedAt: new Date('2026-03-02T01:00:00Z'), collectedAt: null });
  const newer = lot('b', { state: 'pending', earnedAt: new Date('2026-03-02T02:00:00Z'), collectedAt: null });
  const steps = planCollect([newer, older], 50, 300, 500);
  assert.deepEqual(
    steps.map((s) => [s.lot.lotId, s.repayFen, s.grantFen, s.forfeitFen]),
    [
      ['a', 50, 150, 0],
      ['b', 0, 50, 150],
    ],
  );
});

test('clawback: uncollected first; what the trade already lost is forgiven; then its own available lot, then others; the rest becomes debt', () => {
  const own = lot('own', { tradeNo: 'T9', remainingFen: 100, lostFen: 100 });
  const other = lot('other', { tradeNo: 'T1', collectedAt: new Date('2026-03-01T00:00:00Z') });
  const plan = planClawback(200, [own], [other, own], 300);
  assert.equal(plan.forgivenFen, 100, 'the 100 fen forfeited over the cap');
  assert.equal(plan.fromAvailableFen, 100);
  assert.deepEqual(plan.availableDraws.map((d) => [d.lot.lotId, d.amountFen]), [['own', 100]]);
  assert.equal(plan.toDebtFen, 0);

  const spentOwn = lot('spent', { tradeNo: 'T9', state: 'spent', remainingFen: 0 });
  const pending = lot('pend', { tradeNo: 'T9', kind: 'welcome', state: 'pending', remainingFen: 200, collectedAt: null });
  const deep = planClawback(450, [spentOwn, pending], [other], 150);
  assert.deepEqual(deep.fromPending.map((p) => [p.lot.lotId, p.amountFen]), [['pend', 200]]);
  assert.equal(deep.forgivenFen, 0);
  assert.deepEqual(deep.availableDraws.map((d) => [d.lot.lotId, d.amountFen]), [['other', 150]]);
  assert.equal(deep.toDebtFen, 100, 'what the merchant already spent is owed');
});
