import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { createTransfers, programmeAccountIds, type TransferInput, type TransferResult } from '../../src/ledger/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enrolMerchants, type TestMerchant } from '../support/fixtures.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';

let db: TestDatabase;
let merchants: TestMerchant[];
let funding: number;
let payable: number;

before(async () => {
  db = await createTestDatabase({ creditLots: false });
  merchants = await enrolMerchants(db.pool, 4);
  const programme = await programmeAccountIds(db.pool);
  funding = programme.programme_funding;
  payable = programme.reimbursement_payable;
});
after(async () => db.close());

type Op =
  | { kind: 'accrue' | 'spend' | 'reserve' | 'clawback'; merchant: number; amountFen: number }
  | { kind: 'post' | 'void'; target: number; amountFen: number | null }
  | { kind: 'retry' | 'conflict'; target: number };

const amount = fc.integer({ min: 1, max: 500 });
const merchant = fc.integer({ min: 0, max: 3 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('accrue' as const), merchant, amountFen: amount }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('spend' as const), merchant, amountFen: amount }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('reserve' as const), merchant, amountFen: amount }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clawback' as const), merchant, amountFen: amount }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('post' as const), target: fc.nat(), amountFen: fc.option(amount) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('void' as const), target: fc.nat() }).map((o) => ({ ...o, amountFen: null })) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('retry' as const), target: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('conflict' as const), target: fc.nat() }) },
);

let runCounter = 0;

/** Turns abstract operations into transfers; retries and conflicts reuse earlier ids. */
function toTransfers(ops: Op[], run: number): TransferInput[][] {
  const sent: TransferInput[] = [];
  const reserves: string[] = [];
  // every run starts with credit to spend, so spends, reservations and posts mostly succeed
  const batches: TransferInput[][] = [
    merchants.map((m, i) => ({ id: `${String(run).padStart(8, '0')}-0000-4000-9000-${String(i).padStart(12, '0')}`, debitAccountId: funding, creditAccountId: m.available, amountFen: 1500, code: 'accrual' })),
  ];
  let batch: TransferInput[] = [];
  ops.forEach((o, i) => {
    const id = `${String(run).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`;
    let transfers: TransferInput[] = [];
    switch (o.kind) {
      case 'accrue':
        transfers = [{ id, debitAccountId: funding, creditAccountId: merchants[o.merchant]!.available, amountFen: o.amountFen, code: 'accrual' }];
        break;
      case 'spend':
        transfers = [{ id, debitAccountId: merchants[o.merchant]!.available, creditAccountId: payable, amountFen: o.amountFen, code: 'spend' }];
        break;
      case 'reserve':
        reserves.push(id);
        transfers = [{ id, phase: 'pending', debitAccountId: merchants[o.merchant]!.available, creditAccountId: payable, amountFen: o.amountFen, code: 'spend', timeoutS: 3600 }];
        break;
      case 'clawback': {
        // take back what is available, the rest as debt, all or nothing
        const m = merchants[o.merchant]!;
        const half = Math.ceil(o.amountFen / 2);
        transfers = [
          { id, debitAccountId: m.available, creditAccountId: funding, amountFen: half, code: 'clawback', linked: true },
          { id: id.replace(/-4000-/, '-4001-'), debitAccountId: m.debt, creditAccountId: funding, amountFen: o.amountFen - half + 1, code: 'clawback' },
        ];
        break;
      }
      case 'post':
      case 'void': {
        // recent reservations, so that posts and voids often race for the same one
        const pendingId = reserves[reserves.length - 1 - (o.target % Math.max(1, Math.min(3, reserves.length)))];
        if (!pendingId) return;
        transfers = [o.kind === 'post' ? { id, phase: 'post', pendingId, code: 'spend', ...(o.amountFen ? { amountFen: o.amountFen } : {}) } : { id, phase: 'void', pendingId, code: 'spend_void' }];
        break;
      }
      case 'retry': {
        const prior = sent[o.target % Math.max(1, sent.length)];
        if (!prior) return;
        transfers = [{ ...prior, linked: false }];
        break;
      }
      case 'conflict': {
        const prior = sent[o.target % Math.max(1, sent.length)];
        if (!prior || prior.phase === 'void') return;
        transfers = [{ ...prior, linked: false, code: prior.code === 'accrual' ? 'accrual_other' : 'accrual' }];
        break;
      }
    }
    sent.push(...transfers);
    batch.push(...transfers);
    if (i % 7 === 6) {
      batches.push(batch);
      batch = [];
    }
  });
  if (batch.length) batches.push(batch);
  return batches;
}

test('random transfer streams keep every ledger invariant; replaying any transfer is a no-op', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 80, size: 'medium' }), fc.boolean(), async (ops, concurrent) => {
      const batches = toTransfers(ops, ++runCounter);
      const results: TransferResult[][] = concurrent
        ? await Promise.all(batches.map((b) => createTransfers(db.pool, b)))
        : await batches.reduce(async (acc, b) => [...(await acc), await createTransfers(db.pool, b)], Promise.resolve([] as TransferResult[][]));
      results.forEach((r, i) => assert.equal(r.length, batches[i]!.length, 'one result per transfer'));
      await assertLedgerInvariants(db.pool);

      const created = batches.flat().filter((_, i) => results.flat()[i]!.status === 'created');
      const before = await db.pool.query('SELECT * FROM ledger_accounts ORDER BY account_id');
      const replay = await createTransfers(db.pool, created.map((t) => ({ ...t, linked: false })));
      assert.ok(replay.every((r) => r.status === 'exists'), `replays are no-ops: ${JSON.stringify(replay.filter((r) => r.status !== 'exists'))}`);
      const afterReplay = await db.pool.query('SELECT * FROM ledger_accounts ORDER BY account_id');
      assert.deepEqual(afterReplay.rows, before.rows, 'replay changed no balance');
    }),
    { numRuns: 50 },
  );
});
