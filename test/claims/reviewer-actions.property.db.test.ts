/**
 * Property (issue 20): over random claims and random reviewer actions, no path pays more than
 * min(covered charges, what the patient paid, the cap, credit on the visit day, credit now), and no
 * invoice or photo is paid twice. The bound is worked out here from the bill's figures, not by the
 * code under test; claims are put in review directly (no OCR), the decisions go through the API.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { merchantBalance } from '../../src/ledger/index.ts';
import type { Invoice } from '../../src/recognition/types.ts';
import { asReviewer } from '../support/app.ts';
import { createClaimsHarness, type ClaimsHarness } from '../support/claims.ts';
import { assertLedgerInvariants } from '../support/ledger-invariants.ts';
import { daysAgo, merchantWithCredit, photoBytes, readInvoice, REGISTRY_GENERAL, storedClaim, type StoredMerchant } from './stored-claims.ts';
import { item, ocr } from './support.ts';

let h: ClaimsHarness;
before(async () => {
  h = await createClaimsHarness({ workers: false });
});
after(async () => h.close());

const CAP_FEN = 20_000;
/** 3 payers × 200 fen + the 200 fen welcome credit, collected 40 days ago. */
const CREDIT_FEN = 800;

interface Bill {
  registrationFen: number;
  medicineFen: number;
  poolFen: number;
  otherFundFen: number;
  /** Which of a few invoice numbers and photos: small sets, so that runs collide. */
  numberIndex: number;
  photoIndex: number;
  readKey: boolean;
}

interface Action {
  claim: number;
  /** Whether the reviewer supplies readings at all, or only decides. */
  withReadings: boolean;
  amountFen: number | null;
  coveredFen: number | null;
  visitDaysAgo: number | null;
  hospitalId: string | null;
  numberIndex: number | null;
}

const bills = fc.array(
  fc.record({
    registrationFen: fc.integer({ min: 100, max: 5_000 }),
    medicineFen: fc.integer({ min: 100, max: 30_000 }),
    poolFen: fc.nat(3_000),
    otherFundFen: fc.nat(500),
    numberIndex: fc.nat(2),
    photoIndex: fc.nat(2),
    readKey: fc.boolean(),
  }),
  { minLength: 1, maxLength: 4 },
);

const actions = fc.array(
  fc.record({
    claim: fc.nat(3),
    withReadings: fc.boolean(),
    amountFen: fc.option(fc.integer({ min: 1, max: 40_000 })),
    coveredFen: fc.option(fc.nat(30_000)),
    visitDaysAgo: fc.option(fc.integer({ min: 0, max: 45 })),
    // a covered hospital, a grade-1 private one, a dental hospital
    hospitalId: fc.option(fc.constantFrom(REGISTRY_GENERAL.id, 'H110018', 'H110009')),
    numberIndex: fc.option(fc.nat(2)),
  }),
  { minLength: 1, maxLength: 6 },
);

let nextMerchant = 400;
let nextWorld = 0;

/** The bill as read: 挂号费 + 西药费, the pooling fund, 大病保险, the rest in cash. */
function readBill(m: StoredMerchant, b: Bill, world: number): Invoice {
  const totalFen = b.registrationFen + b.medicineFen;
  const poolFen = Math.min(b.poolFen, totalFen);
  const otherFen = Math.min(b.otherFundFen, totalFen - poolFen);
  return readInvoice(m, {
    invoiceCode: b.readKey ? ocr(`W${world}`) : null,
    invoiceNumber: b.readKey ? ocr(String(b.numberIndex).padStart(10, '0')) : null,
    items: [item('挂号费', 'registration', b.registrationFen), item('西药费', 'western_medicine', b.medicineFen)],
    totalFen: ocr(totalFen),
    totalInWordsFen: ocr(totalFen),
    payment: { poolingFundFen: ocr(poolFen), personalAccountFen: ocr(0), personalCashFen: ocr(totalFen - poolFen - otherFen), otherFundsFen: ocr(otherFen) },
  });
}

test('property: no reviewer path pays above the rules, and no invoice or photo is paid twice', async () => {
  let approvals = 0;
  await fc.assert(
    fc.asyncProperty(bills, actions, async (drawn, steps) => {
      const world = nextWorld++;
      const claims: { id: string; merchant: StoredMerchant; bill: Bill; patientPaidFen: number; coveredItemsFen: number; visitDaysAgo: number; photo: number }[] = [];
      for (const b of drawn) {
        const m = await merchantWithCredit(h.db.pool, nextMerchant++, 3);
        const read = readBill(m, b, world);
        const totalFen = read.totalFen!.value;
        const patientPaidFen = totalFen - read.payment.poolingFundFen!.value - read.payment.otherFundsFen!.value;
        // photos of one world share bytes and look-alike hashes by index; worlds never share photos
        const photo = photoBytes(`world ${world} photo ${b.photoIndex}`);
        const phash = `${String(world % 10)}${'0123456789abcdef'[b.photoIndex]!.repeat(15)}`;
        const id = await storedClaim(h.db.pool, m, { read, photo, phash });
        claims.push({ id, merchant: m, bill: b, patientPaidFen, coveredItemsFen: totalFen, visitDaysAgo: 5, photo: b.photoIndex });
      }
      for (const drawnStep of steps) {
        const step: Action = drawnStep.withReadings ? drawnStep : { ...drawnStep, coveredFen: null, visitDaysAgo: null, hospitalId: null, numberIndex: null };
        const c = claims[step.claim % claims.length]!;
        const before = (await merchantBalance(h.db.pool, c.merchant.id))!.availableFen;
        const payload = {
          action: 'approve',
          reasonCode: 'property_check',
          ...(step.amountFen === null ? {} : { amountFen: step.amountFen }),
          ...(step.coveredFen === null ? {} : { coveredFen: step.coveredFen }),
          ...(step.visitDaysAgo === null ? {} : { visitDate: daysAgo(step.visitDaysAgo) }),
          ...(step.hospitalId === null ? {} : { hospitalId: step.hospitalId }),
          ...(step.numberIndex === null ? {} : { invoiceCode: `W${world}`, invoiceNumber: String(step.numberIndex).padStart(10, '0') }),
        };
        const res = await h.app.inject({ method: 'POST', url: `/v1/review/claims/${c.id}/decision`, headers: asReviewer, payload });
        assert.ok(res.statusCode < 500, res.body);
        if (res.statusCode !== 200) continue;
        approvals++;
        const paid = res.json().benefitFen as number;
        const coveredFen = Math.min(step.coveredFen ?? c.coveredItemsFen, c.patientPaidFen);
        const bound = Math.min(coveredFen, c.patientPaidFen, CAP_FEN, CREDIT_FEN, before);
        assert.ok(paid >= 1 && paid <= bound, `paid ${paid} > bound ${bound}: ${JSON.stringify({ step, bill: c.bill, before })}`);
        assert.ok(step.hospitalId === null || step.hospitalId === REGISTRY_GENERAL.id, 'an ineligible hospital is never approved');
        assert.ok(step.visitDaysAgo === null || step.visitDaysAgo <= 30, 'a visit over 30 days old is never approved');
      }
      const twiceKey = await h.db.pool.query(
        `SELECT invoice_code, invoice_number FROM claims WHERE status IN ('approved', 'paid') GROUP BY invoice_code, invoice_number HAVING count(*) > 1`,
      );
      assert.deepEqual(twiceKey.rows, [], 'an invoice paid twice');
      const twicePhoto = await h.db.pool.query(
        `SELECT f->>'sha256' AS sha256 FROM claims, jsonb_array_elements(files) f WHERE status IN ('approved', 'paid') GROUP BY 1 HAVING count(*) > 1`,
      );
      assert.deepEqual(twicePhoto.rows, [], 'a photo paid twice');
    }),
    { numRuns: Number(process.env.CAREPOINTS_REVIEW_PROPERTY_RUNS ?? 25), seed: 20 },
  );
  assert.ok(approvals > 0, 'some paths approve: the property is not vacuous');
  await assertLedgerInvariants(h.db.pool);
});
